"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";

const KINDS = [
  { id: "budget", label: "Budget alerts", help: "when your spending nears or reaches its limit" },
  { id: "activity", label: "Activity", help: "a digest of comments on your messages and mentions of you" },
  { id: "invites", label: "Invitations to join a project", help: "when someone asks you in" },
  { id: "handovers", label: "Project handovers", help: "offers to take over a project, and when yours is accepted" },
] as const;

/** Which optional mails Arbor sends. Security mails are listed but cannot be turned off. */
export function MailChoices() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const choices = useQuery(trpc.notifications.mailChoices.queryOptions());
  const set = useMutation(
    trpc.notifications.setMailChoice.mutationOptions({
      onSuccess: () => {
        queryClient.invalidateQueries(trpc.notifications.mailChoices.queryFilter());
        queryClient.invalidateQueries(trpc.notifications.preferences.queryFilter());
      },
    }),
  );
  if (!choices.data) return <p className="text-sm text-zinc-500">Loading…</p>;
  const data = choices.data;
  return (
    <fieldset className="space-y-2">
      <legend className="sr-only">Mails Arbor sends you</legend>
      <label className="flex items-start gap-2 text-sm text-zinc-500">
        <input type="checkbox" checked disabled className="mt-1" />
        <span>
          Security mails <span className="text-xs">— sign-ins, password and email changes; always sent</span>
        </span>
      </label>
      {KINDS.map((k) => (
        <label key={k.id} className="flex items-start gap-2 text-sm text-zinc-800">
          <input type="checkbox" className="mt-1" checked={data[k.id]} disabled={set.isPending} onChange={(e) => set.mutate({ kind: k.id, on: e.target.checked })} />
          <span>
            {k.label} <span className="text-xs text-zinc-500">— {k.help}</span>
          </span>
        </label>
      ))}
      <p className="text-xs text-zinc-500">Each of these mails has an unsubscribe link at its foot that works without signing in.</p>
      {set.error ? <p className="text-sm text-red-700">{set.error.message}</p> : null}
    </fieldset>
  );
}
