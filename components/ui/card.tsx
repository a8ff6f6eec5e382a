/** A card; with `labelledBy` (its heading's id) it is a named region, so in-page links and landmarks can reach it. */
export function Card({ children, className = "", id, labelledBy }: { children: React.ReactNode; className?: string; id?: string; labelledBy?: string }) {
  const classes = `rounded-lg border border-zinc-200 bg-white p-5 shadow-sm ${className}`;
  if (labelledBy)
    return (
      <section id={id} aria-labelledby={labelledBy} className={classes}>
        {children}
      </section>
    );
  return (
    <div id={id} className={classes}>
      {children}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: React.ReactNode; action?: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center">
      <h3 className="text-base font-semibold text-zinc-900">{title}</h3>
      {children ? <div className="mx-auto mt-2 max-w-md text-sm text-zinc-600">{children}</div> : null}
      {action ? <div className="mt-5 flex justify-center">{action}</div> : null}
    </div>
  );
}
