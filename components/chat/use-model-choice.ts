"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { errorMessage } from "@/lib/errors";
import { decodeModelChoice, encodeModelChoice, type ModelChoice, requestFieldsOf } from "@/lib/model-choice";

/** Typing pauses this long before the estimate is asked again (it reads the branch and searches the vault). */
const ESTIMATE_DEBOUNCE_MS = 350;

function useDebounced<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setShown(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}

/**
 * The chat's model choice (saved on the chat, so a reload and every member
 * see it) and the server's hold estimate for the draft under it. A new chat
 * keeps the choice locally until it exists; chat.create then takes it along.
 */
export function useModelChoice({
  projectId,
  chatId,
  saved,
  parentId,
  draft,
  enabled,
  agentId,
}: {
  projectId: string;
  chatId: string | null;
  saved: string | null | undefined;
  parentId: string | null;
  draft: string;
  enabled: boolean;
  /** the agent chosen for the chat (it shapes the estimate as it shapes the turn) */
  agentId: string | null;
}) {
  const trpc = useTRPC();
  const [choice, setChoiceState] = useState<ModelChoice>(() => decodeModelChoice(saved));
  const [saveError, setSaveError] = useState<string | null>(null);
  // The saved choice arrives with the thread (or changes on another member's screen): follow it.
  useEffect(() => {
    if (saved !== undefined) setChoiceState(decodeModelChoice(saved));
  }, [saved]);

  const choices = useQuery(trpc.chat.models.queryOptions({ projectId }, { staleTime: 60_000 }));
  const save = useMutation(trpc.chat.setModel.mutationOptions());

  const setChoice = useCallback(
    (next: ModelChoice) => {
      setChoiceState(next);
      setSaveError(null);
      if (!chatId) return;
      save.mutateAsync({ projectId, chatId, choice: next }).catch((error: unknown) => setSaveError(errorMessage(error, "Could not remember the model for this chat.")));
    },
    [chatId, projectId, save],
  );

  const content = useDebounced(draft.trim(), ESTIMATE_DEBOUNCE_MS);
  const estimate = useQuery(
    trpc.chat.estimate.queryOptions(
      { projectId, chatId, parentId, content, agentId, ...requestFieldsOf(choice) },
      { enabled, placeholderData: keepPreviousData, staleTime: 10_000, retry: false },
    ),
  );

  return {
    choice,
    setChoice,
    choices: choices.data,
    estimate: estimate.data,
    estimating: estimate.isFetching,
    estimateError: saveError ?? (estimate.error ? errorMessage(estimate.error, "Could not work out the cost.") : null),
    requestFields: requestFieldsOf(choice),
    key: encodeModelChoice(choice),
  };
}
