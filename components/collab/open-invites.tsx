"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge, ROLE_TONE } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatUsd } from "@/lib/money";
import { errorMessage } from "@/lib/errors";
import { relativeTime } from "./relative-time";

export function OpenInvites({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invites = useQuery(trpc.collab.invites.queryOptions({ projectId }));
  const revoke = useMutation(
    trpc.collab.revokeInvite.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.collab.invites.queryKey({ projectId }) }),
    }),
  );
  if (invites.isPending) return <p className="text-sm text-zinc-500">Loading invites…</p>;
  if (invites.error) return <Alert tone="error">{errorMessage(invites.error)}</Alert>;
  if (invites.data.length === 0) return <p className="text-sm text-zinc-600">No open invites. Create one above to bring someone in.</p>;
  return (
    <div className="space-y-2">
      {revoke.error ? <Alert tone="error">{errorMessage(revoke.error)}</Alert> : null}
      <ul className="divide-y divide-zinc-100">
        {invites.data.map((invite) => (
          <li key={invite.id} className="flex flex-wrap items-center gap-3 py-2 text-sm">
            <span className="font-mono text-zinc-700">{invite.hint}</span>
            <Badge tone={ROLE_TONE[invite.role]}>{invite.role}</Badge>
            <span className="text-zinc-600">quota {formatUsd(invite.quotaMicros)}</span>
            <span className="text-zinc-600">
              used {invite.uses}
              {invite.maxUses != null ? ` of ${invite.maxUses}` : ""}
            </span>
            {invite.email ? <span className="text-zinc-600">for {invite.email}</span> : null}
            <span className="text-zinc-500">expires {relativeTime(invite.expiresAt)}</span>
            {invite.status === "used_up" ? <Badge tone="amber">used up</Badge> : null}
            <Button
              variant="ghost"
              className="ml-auto"
              aria-label={`Revoke invite ${invite.hint}`}
              disabled={revoke.isPending}
              onClick={() => revoke.mutate({ projectId, inviteId: invite.id })}
            >
              Revoke
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}
