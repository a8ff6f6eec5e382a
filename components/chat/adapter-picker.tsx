"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";

/**
 * The composer's "Adapter" picker: which ready LoRA this chat's local answers
 * use (over the agent's and the project's), saved on the chat. Hidden while the
 * project has no ready adapter.
 */
export function AdapterPicker({ projectId, chatId, saved, disabled }: { projectId: string; chatId: string; saved: string | null | undefined; disabled: boolean }) {
  const id = useId();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [adapterId, setAdapterId] = useState<string | null>(saved ?? null);
  useEffect(() => setAdapterId(saved ?? null), [saved]);
  const list = useQuery(trpc.adapters.list.queryOptions({ projectId }, { staleTime: 30_000 }));
  const save = useMutation(trpc.adapters.select.mutationOptions({ onSettled: () => void queryClient.invalidateQueries({ queryKey: trpc.chat.pathKey() }) }));
  const ready = list.data?.adapters.filter((a) => a.status === "ready") ?? [];
  if (ready.length === 0 && !adapterId) return null;
  const projectWide = ready.find((a) => a.id === list.data?.selectedForProject);
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-xs font-medium text-zinc-600">
        Adapter
      </label>
      <select
        id={id}
        value={adapterId ?? ""}
        disabled={disabled || !list.data?.canEdit}
        onChange={(event) => {
          const next = event.target.value || null;
          setAdapterId(next);
          save.mutate({ projectId, target: { kind: "chat", chatId }, adapterId: next });
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
