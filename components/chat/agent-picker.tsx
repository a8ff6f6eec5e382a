"use client";

import { useId } from "react";

type Props = {
  agents: Array<{ id: string; name: string }> | undefined;
  agentId: string | null;
  onChange: (agentId: string | null) => void;
  disabled: boolean;
};

/** The composer's "Agent" picker: which of the project's agents answers this chat's next turns (remembered on the chat). */
export function AgentPicker({ agents, agentId, onChange, disabled }: Props) {
  const id = useId();
  if (!agents || (agents.length === 0 && !agentId)) return null;
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-xs font-medium text-zinc-600">
        Agent
      </label>
      <select
        id={id}
        value={agentId ?? ""}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value || null)}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-xs text-zinc-800 focus:border-emerald-600 focus:outline-none focus:ring-1 focus:ring-emerald-600 disabled:bg-zinc-50"
      >
        <option value="">No agent</option>
        {agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </div>
  );
}
