"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";

/** The `@word` being typed at the end of the text, if any: what the member list is filtered by. */
export function mentionPrefix(text: string): string | null {
  const match = /(?:^|\s)@([\w.+-]*)$/.exec(text);
  return match ? (match[1] ?? "") : null;
}

/** Replace that `@word` with the member's address, so the server can tell exactly who is meant. */
export function insertMention(text: string, email: string): string {
  return text.replace(/@([\w.+-]*)$/, `@${email} `);
}

/** Project members matching the `@word` under the caret; choosing one writes their address into the comment. */
export function MentionSuggestions({ projectId, text, onPick }: { projectId: string; text: string; onPick: (next: string) => void }) {
  const trpc = useTRPC();
  const prefix = mentionPrefix(text);
  const candidates = useQuery({ ...trpc.notifications.mentionCandidates.queryOptions({ projectId, prefix: prefix ?? "" }), enabled: prefix !== null });
  if (prefix === null || !candidates.data?.length) return null;
  return (
    <ul aria-label="Mention a member" className="rounded-md border border-zinc-200 bg-white text-xs shadow-sm">
      {candidates.data.map((c) => (
        <li key={c.userId}>
          <button type="button" className="block w-full px-2 py-1 text-left hover:bg-emerald-50" onClick={() => onPick(insertMention(text, c.email))}>
            Mention {c.name || c.email} <span className="text-zinc-500">({c.email})</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
