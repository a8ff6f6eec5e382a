"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, inputClass } from "@/components/ui/field";
import type { InviteRole } from "@/lib/roles";
import { errorMessage } from "@/lib/errors";
import { InviteLink } from "./invite-link";

/** The owner's invite form. The link it creates is shown once: only its hash is kept. */
export function InviteForm({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<{ url: string; emailed: string | null } | null>(null);
  const create = useMutation(
    trpc.collab.createInvite.mutationOptions({
      onSuccess: (result) => {
        setCreated({ url: result.url, emailed: result.invite.email });
        void queryClient.invalidateQueries({ queryKey: trpc.collab.invites.queryKey({ projectId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.collab.activity.queryKey() });
      },
    }),
  );

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const maxUses = String(form.get("maxUses") ?? "").trim();
    setCreated(null);
    create.mutate({
      projectId,
      role: form.get("role") as InviteRole,
      quotaUsd: String(form.get("quotaUsd") ?? "0"),
      expiresInHours: Number(form.get("expiresInHours")),
      maxUses: maxUses ? Number(maxUses) : undefined,
      email: String(form.get("email") ?? "").trim() || null,
    });
  }

  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" aria-label="Invite someone">
        <div className="space-y-1">
          <label htmlFor="invite-role" className="block text-sm font-medium text-zinc-800">
            Role
          </label>
          <select id="invite-role" name="role" defaultValue="commenter" className={inputClass}>
            <option value="viewer">Viewer — reads everything</option>
            <option value="commenter">Commenter — reads and comments</option>
            <option value="editor">Editor — chats, forks, uploads, edits</option>
          </select>
        </div>
        <Field label="Quota (USD)" name="quotaUsd" defaultValue="5" inputMode="decimal" required hint="Cloud spend this person may use; you pay it. 0 to 10,000." />
        <Field label="Expires in (hours)" name="expiresInHours" type="number" min={1} max={2160} defaultValue={168} required hint="1 hour to 90 days (2160 hours)." />
        <Field label="Max uses" name="maxUses" type="number" min={1} max={1000} defaultValue={1} required hint="How many people may join with this link (each may spend up to the quota)." />
        <div className="sm:col-span-2">
          <Field label="Restrict to email" name="email" type="email" placeholder="Optional" hint="Only this address can accept, and the link is mailed to it." />
        </div>
        <div className="sm:col-span-2 flex items-center gap-3">
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Invite"}
          </Button>
        </div>
      </form>
      {create.error ? <Alert tone="error">{errorMessage(create.error)}</Alert> : null}
      {created ? <InviteLink url={created.url} emailed={created.emailed} /> : null}
    </div>
  );
}
