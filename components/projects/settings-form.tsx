"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ProjectSettings } from "@/db/schema";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, TextAreaField, inputClass } from "@/components/ui/field";

const POLICY_HELP = {
  manual: "Answers come from the local tier; press Escalate on an answer to ask Claude.",
  auto: "Escalates to Claude when the vault has little to go on or the local tier fails.",
  cloud: "Every answer comes from Claude (metered).",
} as const;

export function GeneralSettingsForm({ projectId, title, description, canEdit }: { projectId: string; title: string; description: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState({ title, description });
  const rename = useMutation(trpc.projects.rename.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        rename.mutate({ projectId, ...values });
      }}
    >
      <Field label="Project name" value={values.title} onChange={(e) => setValues({ ...values, title: e.target.value })} disabled={!canEdit} maxLength={120} />
      <TextAreaField label="Description" rows={2} value={values.description} onChange={(e) => setValues({ ...values, description: e.target.value })} disabled={!canEdit} />
      {rename.error ? <Alert tone="error">{rename.error.message}</Alert> : null}
      {rename.isSuccess ? <Alert tone="success">Saved.</Alert> : null}
      {canEdit ? (
        <Button type="submit" disabled={rename.isPending}>
          {rename.isPending ? "Saving…" : "Save name"}
        </Button>
      ) : null}
    </form>
  );
}

export function AnswerSettingsForm({ projectId, settings, canEdit, models }: { projectId: string; settings: ProjectSettings; canEdit: boolean; models: { model: string; label: string }[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState(settings);
  const save = useMutation(trpc.projects.updateSettings.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ projectId, ...values });
      }}
    >
      <fieldset className="space-y-2" disabled={!canEdit}>
        <legend className="text-sm font-medium text-zinc-800">Escalation policy</legend>
        {(["manual", "auto", "cloud"] as const).map((policy) => (
          <label key={policy} className="flex items-start gap-2 text-sm">
            <input type="radio" name="escalationPolicy" value={policy} checked={values.escalationPolicy === policy} onChange={() => setValues({ ...values, escalationPolicy: policy })} className="mt-1" />
            <span>
              <span className="font-medium capitalize">{policy}</span> — <span className="text-zinc-600">{POLICY_HELP[policy]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="space-y-1">
        <label htmlFor="default-cloud-model" className="block text-sm font-medium text-zinc-800">
          Default cloud model
        </label>
        <select
          id="default-cloud-model"
          className={inputClass}
          disabled={!canEdit}
          value={values.defaultCloudModel ?? ""}
          onChange={(e) => setValues({ ...values, defaultCloudModel: e.target.value || null })}
        >
          <option value="">Arbor's default</option>
          {models.map((m) => (
            <option key={m.model} value={m.model}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <TextAreaField label="System prompt" rows={3} value={values.systemPrompt} disabled={!canEdit} onChange={(e) => setValues({ ...values, systemPrompt: e.target.value })} hint="Sent with every cloud answer in this project." />
      <TextAreaField label="Constraints" rows={3} value={values.constraints} disabled={!canEdit} onChange={(e) => setValues({ ...values, constraints: e.target.value })} hint="Rules answers must follow, e.g. “cite a source for every claim”." />
      {save.error ? <Alert tone="error">{save.error.message}</Alert> : null}
      {save.isSuccess ? <Alert tone="success">Settings saved.</Alert> : null}
      {canEdit ? (
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save settings"}
        </Button>
      ) : (
        <p className="text-sm text-zinc-500">Only editors and the owner can change these settings.</p>
      )}
    </form>
  );
}

export function DangerZone({ projectId, title, archived }: { projectId: string; title: string; archived: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirm, setConfirm] = useState("");
  const archive = useMutation(trpc.projects.setArchived.mutationOptions({ onSuccess: () => router.refresh() }));
  const remove = useMutation(
    trpc.projects.delete.mutationOptions({
      onSuccess: () => {
        router.push("/dashboard");
        router.refresh();
      },
    }),
  );
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h3 className="text-sm font-medium">{archived ? "Restore project" : "Archive project"}</h3>
          <p className="text-sm text-zinc-600">{archived ? "Make it active again." : "Keeps everything, marks it archived on the dashboard."}</p>
        </div>
        <Button variant="secondary" disabled={archive.isPending} onClick={() => archive.mutate({ projectId, archived: !archived })}>
          {archived ? "Restore project" : "Archive project"}
        </Button>
      </div>
      <form
        className="space-y-3 rounded-md border border-red-200 bg-red-50/50 p-4"
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate({ projectId, confirmTitle: confirm });
        }}
      >
        <h3 className="text-sm font-medium text-red-800">Delete project</h3>
        <p className="text-sm text-zinc-700">This deletes every chat, source, comment and invite of the project. It cannot be undone.</p>
        <Field label={`Type “${title}” to confirm`} value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
        {remove.error ? <Alert tone="error">{remove.error.message}</Alert> : null}
        <Button type="submit" variant="danger" disabled={confirm.trim() !== title || remove.isPending}>
          {remove.isPending ? "Deleting…" : "Delete project"}
        </Button>
      </form>
    </div>
  );
}
