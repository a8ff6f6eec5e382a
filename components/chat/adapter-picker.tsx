"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";

/**
 * Where the choice goes: saved on a chat or an agent at once, or — before a
 * new chat's first message, when there is no chat yet — kept by the caller
 * and sent with that message (the chat is made with it).
 */
export type AdapterPickerTarget = { kind: "chat"; chatId: string } | { kind: "agent"; agentId: string; agentName: string } | { kind: "new-chat"; onChoose: (adapterId: string | null) => void };

/**
 * The "Adapter" picker: which ready LoRA local answers use — a chat's over its
 * agent's, an agent's over the project's. Hidden while the project has no
 * ready adapter (and none is chosen).
 */
export function AdapterPicker({ projectId, target, saved, disabled }: { projectId: string; target: AdapterPickerTarget; saved: string | null | undefined; disabled: boolean }) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [adapterId, setAdapterId] = useState<string | null>(saved ?? null);
  useEffect(() => setAdapterId(saved ?? null), [saved]);
  const list = useQuery(trpc.adapters.list.queryOptions({ projectId }, { staleTime: 30_000 }));
  const save = useMutation(
    trpc.adapters.select.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries({ queryKey: target.kind === "agent" ? trpc.agents.pathKey() : trpc.chat.pathKey() }),
    }),
  );
  const ready = list.data?.adapters.filter((a) => a.status === "ready") ?? [];
  if (ready.length === 0 && !adapterId) return null;
  const projectWide = ready.find((a) => a.id === list.data?.selectedForProject);
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-xs font-medium text-zinc-600">
        Adapter
        {target.kind === "agent" ? <span className="sr-only"> for {target.agentName}</span> : null}
      </label>
      <select
        id={id}
        value={adapterId ?? ""}
        disabled={disabled || !list.data?.canEdit}
        onChange={(event) => {
          const next = event.target.value || null;
          setAdapterId(next);
          if (target.kind === "new-chat") target.onChoose(next);
          else save.mutate({ projectId, target: target.kind === "chat" ? { kind: "chat", chatId: target.chatId } : { kind: "agent", agentId: target.agentId }, adapterId: next });
        }}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-xs text-zinc-800 focus:border-emerald-600 focus:outline-none focus:ring-1 focus:ring-emerald-600 disabled:bg-zinc-50"
      >
        <option value="">{projectWide ? `Project's (${projectWide.name})` : "No adapter"}</option>
        {ready.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name} · rank {a.rank ?? "?"}
          </option>
        ))}
      </select>
      {save.error ? <span className="text-xs text-red-600">{save.error.message}</span> : null}
    </div>
  );
}
