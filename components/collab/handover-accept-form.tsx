"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { TRPCReactProvider, useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { errorMessage } from "@/lib/errors";
import { formatUsd } from "@/lib/money";
import { relativeTime } from "./relative-time";

type OpenInvite = { id: string; hint: string; role: string; quotaMicros: bigint; uses: number; maxUses: number | null; expiresAt: Date; email: string | null };
type MemberQuota = { userId: string; name: string | null; email: string; role: string; quotaMicros: bigint | null; spentMicros: bigint };

/**
 * Accept on /handover/<token>: first a keep-or-revoke choice for each open
 * invite link and each member quota (each would charge the new owner), then Accept.
 */
export function HandoverAcceptForm(props: { token: string; openInvites: OpenInvite[]; memberQuotas: MemberQuota[] }) {
  return (
    <TRPCReactProvider>
      <AcceptForm {...props} />
    </TRPCReactProvider>
  );
}

function AcceptForm({ token, openInvites, memberQuotas }: { token: string; openInvites: OpenInvite[]; memberQuotas: MemberQuota[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [choices, setChoices] = useState<Record<string, boolean>>({});
  const accept = useMutation(trpc.collab.acceptHandover.mutationOptions({ onSuccess: (result) => router.push(`/projects/${result.projectId}`) }));
  const keys = [...openInvites.map((i) => `invite:${i.id}`), ...memberQuotas.map((m) => `quota:${m.userId}`)];
  const undecided = keys.filter((k) => choices[k] === undefined).length;

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    accept.mutate({
      token,
      decisions: {
        invites: openInvites.map((i) => ({ inviteId: i.id, keep: choices[`invite:${i.id}`] === true })),
        quotas: memberQuotas.map((m) => ({ userId: m.userId, keep: choices[`quota:${m.userId}`] === true })),
      },
    });
  }

  const choice = (key: string, legend: string, detail: string) => (
    <fieldset key={key} className="rounded-md border border-zinc-200 px-3 py-2">
      <legend className="px-1 text-sm font-medium text-zinc-900">{legend}</legend>
      <p className="text-xs text-zinc-600">{detail}</p>
      <div className="mt-1 flex gap-4 text-sm">
        {[
          { keep: true, label: "Keep" },
          { keep: false, label: "Revoke" },
        ].map((option) => (
          <label key={option.label} className="flex items-center gap-1.5">
            <input type="radio" name={key} checked={choices[key] === option.keep} onChange={() => setChoices((c) => ({ ...c, [key]: option.keep }))} />
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Accept the handover">
      {keys.length > 0 ? (
        <div className="space-y-2">
          <p className="text-sm text-zinc-700">
            Once you accept, these would be charged to you. Decide for each: <strong>Keep</strong> it as it is, or <strong>Revoke</strong> it (a
            revoked link stops working; a revoked quota becomes $0 and the member stays).
          </p>
          {openInvites.map((i) =>
            choice(
              `invite:${i.id}`,
              `Invite link ${i.hint}`,
              `${i.role}, quota ${formatUsd(i.quotaMicros)} each, used ${i.uses}${i.maxUses != null ? ` of ${i.maxUses}` : ""}${i.email ? `, only for ${i.email}` : ""}; expires ${relativeTime(i.expiresAt)}.`,
            ),
          )}
          {memberQuotas.map((m) =>
            choice(
              `quota:${m.userId}`,
              `${m.name || m.email}'s quota`,
              `${m.role}, ${m.quotaMicros === null ? "no cap" : `quota ${formatUsd(m.quotaMicros)}`}, ${formatUsd(m.spentMicros)} spent so far.`,
            ),
          )}
        </div>
      ) : null}
      <Button type="submit" disabled={accept.isPending || accept.isSuccess || undecided > 0} className="w-full">
        {accept.isPending ? "Accepting…" : accept.isSuccess ? "Opening the project…" : "Accept"}
      </Button>
      {undecided > 0 ? <p className="text-xs text-zinc-500">Choose Keep or Revoke for each of the {undecided} left to accept.</p> : null}
      {accept.error ? <Alert tone="error">{errorMessage(accept.error)}</Alert> : null}
      <DeclineHandover token={token} disabled={accept.isPending || accept.isSuccess} />
    </form>
  );
}

/** Say no: the project stays with its owner, who is told. */
function DeclineHandover({ token, disabled }: { token: string; disabled: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const decline = useMutation(trpc.collab.declineHandover.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="border-t border-zinc-100 pt-3 text-center">
      <button
        type="button"
        className="text-sm font-medium text-zinc-600 hover:text-zinc-900 hover:underline disabled:opacity-50"
        disabled={disabled || decline.isPending || decline.isSuccess}
        onClick={() => {
          if (window.confirm("Decline this handover? The project stays with its owner, and they are told.")) decline.mutate({ token });
        }}
      >
        {decline.isPending ? "Declining…" : "Decline the handover"}
      </button>
      {decline.error ? <Alert tone="error">{errorMessage(decline.error)}</Alert> : null}
    </div>
  );
}
