/** A search snippet: the server sends text pieces, so matches become <mark>s and nothing is parsed as HTML. */
export function Snippet({ parts }: { parts: { text: string; highlight: boolean }[] }) {
  return (
    <>
      {/* snippet pieces have no identity beyond their position, so the index is their key */}
      {parts.map((part, i) =>
        part.highlight ? (
          <mark key={i} className="rounded bg-amber-100 px-0.5 text-zinc-900">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}

/** "Garden plan › Main › Try again": where a message lives. */
export function WhereItLives({ chatTitle, branchPath, projectTitle }: { chatTitle: string; branchPath: string[]; projectTitle?: string }) {
  const trail = [...(projectTitle ? [projectTitle] : []), chatTitle, ...branchPath];
  return <span className="text-xs text-zinc-500">{trail.join(" › ")}</span>;
}
