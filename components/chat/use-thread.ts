"use client";

import { keepPreviousData, skipToken, useQuery, useQueryClient } from "@tanstack/react-query";
import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { chatHref, type ThreadData } from "./types";

/** Poll while idle so answers another member starts here show up and can be watched live. */
const IDLE_POLL_MS = 1_500;

/**
 * Which chat and branch this page shows. The branch lives in the address, so a
 * reload (even mid-answer) comes back to it; `refreshThread` reloads the thread
 * and the chat list after a change.
 */
export function useThreadLocation({ projectId, initialChatId, initialBranchId }: { projectId: string; initialChatId: string | null; initialBranchId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chatId, setChatId] = useState(initialChatId);
  const [branchId, setBranchId] = useState<string | null>(initialBranchId);
  // A sibling picked by someone who may not write has no branch of its own: the
  // branch's view is read down to this message instead (chat.switchSibling).
  const [tipMessageId, setTipMessageId] = useState<string | null>(null);
  const branchRef = useRef(branchId);
  branchRef.current = branchId;
  // A Fork (or sibling switch) under way: a Send pressed meanwhile waits for it, so it lands on the branch being opened.
  const switching = useRef<Promise<unknown> | null>(null);
  const whileSwitching = useCallback(async <T>(work: Promise<T>): Promise<T> => {
    switching.current = work;
    try {
      return await work;
    } finally {
      if (switching.current === work) switching.current = null;
    }
  }, []);
  /** The branch a Send goes to: the one shown, or the one a Fork pressed just before is opening. */
  const branchForSend = useCallback(async () => {
    await switching.current?.catch(() => undefined);
    return branchRef.current;
  }, []);

  const showBranch = useCallback(
    (next: string, chat: string | null = chatId, tip: string | null = null) => {
      branchRef.current = next; // at once, not at the next render: a Send waiting on a Fork reads it
      setBranchId(next);
      setTipMessageId(tip);
      // Keep the branch in the address so a reload (even mid-answer) comes back to it.
      if (chat) window.history.replaceState(null, "", chatHref(projectId, chat, { branch: next }));
    },
    [chatId, projectId],
  );

  const refreshThread = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries(trpc.chat.thread.queryFilter()),
        queryClient.invalidateQueries(trpc.chat.list.queryFilter()),
      ]),
    [queryClient, trpc],
  );

  return { chatId, setChatId, branchId, tipMessageId, branchRef, showBranch, refreshThread, whileSwitching, branchForSend };
}

/**
 * The thread the server has for the chat and branch shown. While no answer
 * streams here it is polled, so another member's answer appears; the server
 * page's own thread is used as it is; the branch the server picked (the
 * default, or the one holding ?message=) is pinned so polling keeps it.
 */
export function useThreadQuery({
  projectId,
  chatId,
  branchId,
  tipMessageId,
  branchRef,
  showBranch,
  focusMessageId,
  initial,
  streaming,
}: {
  projectId: string;
  chatId: string | null;
  branchId: string | null;
  tipMessageId: string | null;
  branchRef: RefObject<string | null>;
  showBranch: (branchId: string) => void;
  focusMessageId: string | null;
  /** the thread as the server page loaded it, for the chat and branch it loaded */
  initial: { thread?: ThreadData; chatId: string | null; branchId: string | null };
  streaming: boolean;
}) {
  const trpc = useTRPC();
  const thread = useQuery(
    trpc.chat.thread.queryOptions(
      chatId
        ? { projectId, chatId, branchId: branchId ?? undefined, messageId: tipMessageId ?? (branchId ? undefined : (focusMessageId ?? undefined)) }
        : skipToken,
      {
        refetchInterval: streaming ? false : IDLE_POLL_MS,
        placeholderData: keepPreviousData,
        staleTime: 0,
        // Only for the very query the server page made (same chat, same branch, no ?message=).
        initialData: initial.thread && chatId === initial.chatId && branchId === initial.branchId && !focusMessageId && !tipMessageId ? initial.thread : undefined,
      },
    ),
  );
  const data = thread.data;

  useEffect(() => {
    if (data && chatId && !branchRef.current) showBranch(data.branch.id);
  }, [data, chatId, showBranch, branchRef]);

  return { thread, data };
}
