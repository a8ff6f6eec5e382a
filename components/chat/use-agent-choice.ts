"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";

/** The chat's agent: offered from the project's agents, saved on the chat (a new chat takes it along when created). */
export function useAgentChoice({ projectId, chatId, saved }: { projectId: string; chatId: string | null; saved: string | null | undefined }) {
  const trpc = useTRPC();
  const [agentId, setLocal] = useState<string | null>(saved ?? null);
  useEffect(() => {
    if (saved !== undefined) setLocal(saved);
  }, [saved]);
  const agents = useQuery(trpc.agents.list.queryOptions({ projectId }, { staleTime: 30_000 }));
  const save = useMutation(trpc.chat.setAgent.mutationOptions());
  const setAgentId = useCallback(
    (next: string | null) => {
      setLocal(next);
      if (chatId) save.mutate({ projectId, chatId, agentId: next });
    },
    [chatId, projectId, save],
  );
  return { agents: agents.data, agentId, setAgentId };
}
