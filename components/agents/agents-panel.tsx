"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AdapterPicker } from "@/components/chat/adapter-picker";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { Field, SelectField, TextAreaField } from "@/components/ui/field";
import { errorMessage } from "@/lib/errors";
import type { AppRouter } from "@/server/routers/_app";

type AgentView = inferRouterOutputs<AppRouter>["agents"]["list"][number];
type AgentInput = inferRouterInputs<AppRouter>["agents"]["create"]["agent"];

const EMPTY: AgentInput = { name: "", instructions: "", defaultTier: "auto", defaultModel: null, temperature: null, maxTokens: null, scope: "vault", sourceIds: [] };

/** The project's agents: a list, and one form to create or edit (editors), each rule explained by the server. */
export function AgentsPanel({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.agents.list.queryOptions({ projectId }));
  const [editing, setEditing] = useState<{ id: string | null; input: AgentInput } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries(trpc.agents.list.queryFilter());
  const archive = useMutation(trpc.agents.archive.mutationOptions({ onSuccess: refresh }));

  return (
    <div className="space-y-4">
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {list.isError ? <Alert tone="error">Could not load the agents: {list.error.message}</Alert> : null}
      {list.data && list.data.length === 0 ? <p className="text-sm text-zinc-600">No agents yet.</p> : null}
      <ul aria-label="Agents" className="divide-y divide-zinc-100">
        {list.data?.map((agent) => (
          <li key={agent.id} className="flex items-start justify-between gap-3 py-2">
            <div className="min-w-0">
              <p className="font-medium text-zinc-900">{agent.name}</p>
              <p className="text-xs text-zinc-600">{summarize(agent)}</p>
              <div className="mt-1">
                <AdapterPicker projectId={projectId} target={{ kind: "agent", agentId: agent.id, agentName: agent.name }} saved={agent.adapterId} disabled={!canEdit} />
              </div>
            </div>
            {canEdit ? (
              <div className="flex shrink-0 gap-1">
                <button type="button" className={buttonClass("ghost", "py-1 text-xs")} onClick={() => setEditing({ id: agent.id, input: inputOf(agent) })} aria-label={`Edit ${agent.name}`}>
                  Edit
                </button>
                <button
                  type="button"
                  className={buttonClass("ghost", "py-1 text-xs")}
                  aria-label={`Archive ${agent.name}`}
                  onClick={() => archive.mutate({ projectId, agentId: agent.id }, { onSuccess: () => setNotice(`${agent.name} was archived. Answers it gave keep its name and settings.`) })}
                >
                  Archive
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {canEdit && !editing ? (
        <button type="button" className={buttonClass("secondary")} onClick={() => setEditing({ id: null, input: EMPTY })}>
          New agent
        </button>
      ) : null}
      {editing ? (
        <AgentForm
          projectId={projectId}
          editing={editing}
          onDone={(saved) => {
            setEditing(null);
            setNotice(saved ? `${saved} was saved.` : null);
            void refresh();
          }}
        />
      ) : null}
    </div>
  );
}

function AgentForm({ projectId, editing, onDone }: { projectId: string; editing: { id: string | null; input: AgentInput }; onDone: (saved: string | null) => void }) {
  const trpc = useTRPC();
  const [input, setInput] = useState<AgentInput>(editing.input);
  const [error, setError] = useState<string | null>(null);
  const models = useQuery(trpc.chat.models.queryOptions({ projectId }, { staleTime: 60_000 }));
  const vault = useQuery(trpc.knowledge.list.queryOptions({ projectId }));
  const create = useMutation(trpc.agents.create.mutationOptions());
  const update = useMutation(trpc.agents.update.mutationOptions());
  const set = (patch: Partial<AgentInput>) => setInput((prev) => ({ ...prev, ...patch }));
  const busy = create.isPending || update.isPending;

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      if (editing.id) await update.mutateAsync({ projectId, agentId: editing.id, agent: input });
      else await create.mutateAsync({ projectId, agent: input });
      onDone(input.name.trim());
    } catch (err) {
      setError(errorMessage(err, "Could not save the agent."));
    }
  }

  return (
    <form onSubmit={save} aria-label={editing.id ? "Edit agent" : "New agent"} className="space-y-3 rounded-md border border-zinc-200 p-3">
      <Field label="Agent name" value={input.name} onChange={(e) => set({ name: e.target.value })} required maxLength={80} />
      <TextAreaField label="Instructions" rows={4} value={input.instructions} onChange={(e) => set({ instructions: e.target.value })} hint="Added to the project's own instructions for every answer this agent writes." />
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label="Default tier"
          value={input.defaultTier}
          options={[
            { value: "auto", label: "Auto (project policy)" },
            { value: "local", label: "Local" },
            { value: "cloud", label: "Cloud" },
          ]}
          onChange={(defaultTier) => set({ defaultTier, defaultModel: defaultTier === "local" ? null : input.defaultModel })}
        />
        <SelectField
          label="Default model"
          value={input.defaultModel ?? ""}
          disabled={input.defaultTier === "local"}
          options={[{ value: "", label: "Project default" }, ...(models.data?.cloud ?? []).map((m) => ({ value: m.model, label: m.label }))]}
          onChange={(value) => set({ defaultModel: value || null })}
        />
        <Field
          label="Temperature"
          type="number"
          min={0}
          max={1}
          step={0.1}
          value={input.temperature ?? ""}
          onChange={(e) => set({ temperature: e.target.value === "" ? null : Number(e.target.value) })}
          hint="0 to 1; empty = the model's default"
        />
        <Field
          label="Maximum tokens"
          type="number"
          min={1}
          max={32000}
          step={1}
          value={input.maxTokens ?? ""}
          onChange={(e) => set({ maxTokens: e.target.value === "" ? null : Number(e.target.value) })}
          hint="Empty = Arbor's default (2,048)"
        />
      </div>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-zinc-800">Knowledge</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="scope" checked={input.scope === "vault"} onChange={() => set({ scope: "vault", sourceIds: [] })} /> The whole vault
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="scope" checked={input.scope === "sources"} onChange={() => set({ scope: "sources" })} /> Only chosen sources
        </label>
        {input.scope === "sources" ? (
          <ul aria-label="Sources this agent may use" className="ml-6 space-y-0.5">
            {(vault.data?.sources ?? []).map((s) => (
              <li key={s.id}>
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={input.sourceIds.includes(s.id)}
                    onChange={(e) => set({ sourceIds: e.target.checked ? [...input.sourceIds, s.id] : input.sourceIds.filter((id) => id !== s.id) })}
                  />
                  {s.title}
                </label>
              </li>
            ))}
          </ul>
        ) : null}
      </fieldset>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="flex justify-end gap-2">
        <button type="button" className={buttonClass("ghost")} onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className={buttonClass("primary")} disabled={busy}>
          {busy ? "Saving…" : "Save agent"}
        </button>
      </div>
    </form>
  );
}

function inputOf(agent: AgentView): AgentInput {
  const { name, instructions, defaultTier, defaultModel, temperature, maxTokens, scope, sourceIds } = agent;
  return { name, instructions, defaultTier, defaultModel, temperature, maxTokens, scope, sourceIds };
}

function summarize(agent: AgentView): string {
  const parts = [
    agent.defaultTier === "auto" ? "auto tier" : `${agent.defaultTier} tier`,
    agent.defaultModel ?? null,
    agent.temperature !== null ? `temperature ${agent.temperature}` : null,
    agent.maxTokens !== null ? `up to ${agent.maxTokens} tokens` : null,
    agent.scope === "vault" ? "whole vault" : `${agent.sourceIds.length} source${agent.sourceIds.length === 1 ? "" : "s"}`,
  ];
  return parts.filter(Boolean).join(" · ");
}
