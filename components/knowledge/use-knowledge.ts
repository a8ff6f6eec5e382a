"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";

/** Refresh everything the tab shows after a change (list, storage, search results, viewer). */
export function useRefreshKnowledge() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
}
