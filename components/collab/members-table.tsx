"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge, ROLE_TONE } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { formatUsd, microsToDecimal } from "@/lib/money";
import type { InviteRole } from "@/lib/roles";
import { errorMessage } from "@/lib/errors";
import { relativeTime } from "./relative-time";


export function MembersTable({ projectId, isOwner, myUserId }: { projectId: string; isOwner: boolean; myUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.collab.members.queryOptions({ projectId }));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.collab.members.queryKey({ projectId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.collab.activity.queryKey() });
  };
  const changeRole = useMutation(trpc.collab.changeRole.mutationOptions({ onSuccess: refresh }));
  const changeQuota = useMutation(trpc.collab.changeQuota.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.collab.removeMember.mutationOptions({ onSuccess: refresh }));
  const failure = changeRole.error ?? changeQuota.error ?? remove.error;

  if (members.isPending) return <p className="text-sm text-zinc-500">Loading members…</p>;
  if (members.error) return <Alert tone="error">{errorMessage(members.error)}</Alert>;

  return (
    <div className="space-y-3">
      {failure ? <Alert tone="error">{errorMessage(failure)}</Alert> : null}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Members</caption>
          <thead className="border-b border-zinc-200 text-xs uppercase tracking-wide text-zinc-500">
            <tr>
              <th className="py-2 pr-3 font-medium">Person</th>
              <th className="py-2 pr-3 font-medium">Role</th>
              <th className="py-2 pr-3 font-medium">Quota</th>
              <th className="py-2 pr-3 font-medium" title="Everything this person spent in the project, across every time they joined">
                Spent (all memberships)
              </th>
              <th className="py-2 pr-3 font-medium">Remaining</th>
              <th className="py-2 pr-3 font-medium">Joined</th>
              <th className="py-2 pr-3 font-medium">Last active</th>
              {isOwner ? <th className="py-2 font-medium"><span className="sr-only">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {members.data.map((m) => {
              const label = m.name || m.email;
              const editable = isOwner && m.role !== "owner";
              const showMoney = isOwner || m.userId === myUserId;
              return (
                <tr key={m.userId} data-testid={`member-${m.email}`}>
                  <td className="py-2 pr-3">
                    <div className="font-medium text-zinc-900">
                      {label}
                      {m.userId === myUserId ? <span className="ml-1 text-xs text-zinc-500">(you)</span> : null}
                    </div>
                    {m.name ? <div className="text-xs text-zinc-500">{m.email}</div> : null}
                  </td>
                  <td className="py-2 pr-3">
                    {editable ? (
                      <>
                        <label htmlFor={`role-${m.userId}`} className="sr-only">{`Role for ${label}`}</label>
                        <select
                          id={`role-${m.userId}`}
                          value={m.role}
                          disabled={changeRole.isPending}
                          onChange={(e) => changeRole.mutate({ projectId, userId: m.userId, role: e.target.value as InviteRole })}
                          className={`${inputClass} w-32 py-1`}
                        >
                          <option value="viewer">viewer</option>
                          <option value="commenter">commenter</option>
                          <option value="editor">editor</option>
                        </select>
                      </>
                    ) : (
                      <Badge tone={ROLE_TONE[m.role]}>{m.role}</Badge>
                    )}
                  </td>
                  <td className="py-2 pr-3">
                    {editable ? (
                      <QuotaEditor
                        label={label}
                        value={m.quotaMicros}
                        pending={changeQuota.isPending}
                        onSave={(quotaUsd) => changeQuota.mutate({ projectId, userId: m.userId, quotaUsd })}
                      />
                    ) : m.role === "owner" ? (
                      <span className="text-zinc-500" title="The owner pays and has no personal cap">pays</span>
                    ) : showMoney ? (
                      formatUsd(m.quotaMicros)
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="py-2 pr-3 tabular-nums">{showMoney ? formatUsd(m.spentMicros) : "—"}</td>
                  <td className="py-2 pr-3 tabular-nums">{m.remainingMicros == null ? "—" : formatUsd(m.remainingMicros)}</td>
                  <td className="py-2 pr-3 text-zinc-600">{relativeTime(m.joinedAt)}</td>
                  <td className="py-2 pr-3 text-zinc-600">{relativeTime(m.lastActiveAt)}</td>
                  {isOwner ? (
                    <td className="py-2 text-right">
                      {editable ? (
                        <Button
                          variant="ghost"
                          aria-label={`Remove ${label}`}
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(`Remove ${label} from the project? They lose access at once.`)) {
                              remove.mutate({ projectId, userId: m.userId });
                            }
                          }}
                        >
                          Remove
                        </Button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function QuotaEditor({ label, value, pending, onSave }: { label: string; value: bigint | null; pending: boolean; onSave: (usd: string) => void }) {
  const [draft, setDraft] = useState(quotaInput(value));
  const changed = draft.trim() !== quotaInput(value);
  return (
    <form
      className="flex items-center gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(draft.trim());
      }}
    >
      <label className="sr-only" htmlFor={`quota-${label}`}>{`Quota for ${label} (USD)`}</label>
      <span aria-hidden className="text-zinc-500">$</span>
      <input id={`quota-${label}`} value={draft} onChange={(e) => setDraft(e.target.value)} inputMode="decimal" className={`${inputClass} w-24 py-1`} />
      {changed ? (
        <Button type="submit" variant="secondary" className="px-2 py-1" disabled={pending} aria-label={`Save quota for ${label}`}>
          Save
        </Button>
      ) : null}
    </form>
  );
}

/** The quota as its input shows it: plain dollars, trailing zeros trimmed ("12.5"); empty for no cap. */
function quotaInput(micros: bigint | null | undefined): string {
  return micros == null ? "" : microsToDecimal(micros, { trim: true });
}
