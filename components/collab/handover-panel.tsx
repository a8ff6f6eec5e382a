"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, TextAreaField } from "@/components/ui/field";
import { formatUsd } from "@/lib/money";
import { errorMessage } from "@/lib/errors";
import { relativeTime } from "./relative-time";

const STATE_LABEL = {
  pending: "Preparing",
  email_sent: "Waiting for the recipient",
  accepted: "Accepted",
  completed: "Completed",
  expired: "Expired",
  cancelled: "Cancelled",
  declined: "Declined by the recipient",
} as const;
const STATE_TONE = { pending: "amber", email_sent: "sky", accepted: "emerald", completed: "emerald", expired: "zinc", cancelled: "zinc", declined: "zinc" } as const;

/**
 * The owner's handover controls on Settings. The state is polled every 2 s so
 * the owner sees the recipient accept without reloading.
 */
export function HandoverPanel({ projectId }: { projectId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery({ ...trpc.collab.handover.queryOptions({ projectId }), refetchInterval: 2000 });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.collab.handover.queryKey({ projectId }) });
  const start = useMutation(trpc.collab.startHandover.mutationOptions({ onSuccess: refresh }));
  const cancel = useMutation(trpc.collab.cancelHandover.mutationOptions({ onSuccess: refresh }));

  if (current.isPending) return <p className="text-sm text-zinc-500">Loading…</p>;
  if (current.error) return <Alert tone="error">{errorMessage(current.error)}</Alert>;
  const handover = current.data;
  const open = handover && (handover.state === "pending" || handover.state === "email_sent");

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    start.mutate({
      projectId,
      toEmail: String(form.get("toEmail") ?? "").trim(),
      includeKnowledge: form.get("includeKnowledge") === "on",
      includeAdapters: form.get("includeAdapters") === "on",
      previousOwnerLeaves: form.get("previousOwnerLeaves") === "on",
      message: String(form.get("message") ?? ""),
    });
  }

  return (
    <div className="space-y-4">
      {handover ? (
        <section aria-label="Handover status" className="space-y-2 rounded-md border border-zinc-200 p-3 text-sm">
          <div className="flex flex-wrap items-center gap-2">
            <span>
              To <strong>{handover.toEmail}</strong>
            </span>
            <Badge tone={STATE_TONE[handover.state]}>
              <span data-testid="handover-state">{STATE_LABEL[handover.state]}</span>
            </Badge>
          </div>
          <p className="text-zinc-600">
            {plural(handover.snapshot.chats, "chat")} · {plural(handover.snapshot.messages, "message")} · {plural(handover.snapshot.sources, "source")} ·
            knowledge{" "}
            {handover.includeKnowledge ? "included" : "kept by you"} · first year {formatUsd(handover.firstYearPriceMicros)} (then{" "}
            {formatUsd(handover.regularPriceMicros)}/yr)
          </p>
          {open ? (
            <div className="flex flex-wrap items-center gap-3">
              <span className="text-zinc-500">Link expires {relativeTime(handover.expiresAt)}.</span>
              <Button variant="secondary" disabled={cancel.isPending} onClick={() => cancel.mutate({ projectId, handoverId: handover.id })}>
                Cancel handover
              </Button>
            </div>
          ) : null}
          {handover.state === "completed" ? (
            <p>
              {handover.toEmail} now owns and pays for this project.{" "}
              {handover.previousOwnerLeaves ? "As you chose, you are no longer a member." : "You stay as an editor."}
            </p>
          ) : null}
          {handover.state === "completed" && handover.residualProjectId ? (
            <p>
              Your knowledge vault was kept in <a className="text-emerald-700 underline" href={`/projects/${handover.residualProjectId}/knowledge`}>a new project</a>.
            </p>
          ) : null}
          {cancel.error ? <Alert tone="error">{errorMessage(cancel.error)}</Alert> : null}
        </section>
      ) : null}

      {!open && handover?.state !== "completed" ? (
        <form onSubmit={submit} className="space-y-3" aria-label="Start a handover">
          <p className="text-sm text-zinc-600">
            What you exclude below moves to a new project you keep.
          </p>
          <Field label="Recipient email" name="toEmail" type="email" required />
          <Checkbox name="includeKnowledge" label="Include knowledge vault" defaultChecked />
          <Checkbox name="includeAdapters" label="Include adapters" defaultChecked hint="The project's LoRA adapters, their storage and files go to the new owner. Unchecked, they move to a project you keep." />
          <TextAreaField label="Message" name="message" rows={3} maxLength={2000} placeholder="Optional note for the recipient" />
          <Checkbox name="previousOwnerLeaves" label="I will leave the project" hint="Otherwise you stay as an editor." />
          <Button type="submit" disabled={start.isPending}>
            {start.isPending ? "Starting…" : "Start handover"}
          </Button>
          {start.error ? <Alert tone="error">{errorMessage(start.error)}</Alert> : null}
        </form>
      ) : null}
    </div>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function Checkbox({ name, label, hint, defaultChecked }: { name: string; label: string; hint?: string; defaultChecked?: boolean }) {
  return (
    <div className="flex items-start gap-2 text-sm">
      <input id={`handover-${name}`} name={name} type="checkbox" defaultChecked={defaultChecked} className="mt-0.5 h-4 w-4 accent-emerald-700" />
      <label htmlFor={`handover-${name}`} className="text-zinc-800">
        {label}
        {hint ? <span className="block text-xs text-zinc-500">{hint}</span> : null}
      </label>
    </div>
  );
}
