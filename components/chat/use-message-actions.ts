"use client";

import { useMemo } from "react";
import { useTRPCClient } from "@/components/providers/trpc";
import type { MessageActions } from "./message-item";
import type { SendRequest } from "./use-chat-stream";

/**
 * What a person can do to a message: fork at it, edit and resend, regenerate
 * or escalate the answer (a new sibling, so both stay), switch to a sibling,
 * give feedback. Sending goes through the one stream of the page.
 */
export function useMessageActions({
  projectId,
  chatId,
  branchId,
  send,
  showBranch,
  refreshThread,
  clearNotice,
}: {
  projectId: string;
  chatId: string | null;
  branchId: string | null;
  send: (request: SendRequest) => Promise<boolean>;
  showBranch: (branchId: string, chatId?: string | null, tipMessageId?: string | null) => void;
  refreshThread: () => Promise<unknown>;
  clearNotice: () => void;
}): MessageActions {
  const client = useTRPCClient();
  return useMemo<MessageActions>(
    () => ({
      fork: async (message) => {
        if (!chatId) return;
        const result = await client.chat.fork.mutate({ projectId, chatId, messageId: message.id });
        showBranch(result.branchId);
        await refreshThread();
      },
      edit: (message, text) => {
        if (!chatId) return;
        clearNotice();
        void send({ chatId, branchId, parentId: message.parentId, content: text, tier: "auto" });
      },
      regenerate: (message) => {
        if (!chatId || !message.parentId) return;
        clearNotice();
        void send({ chatId, branchId, parentId: message.parentId, answerTo: message.parentId, tier: message.tier ?? "auto" });
      },
      escalate: (message) => {
        if (!chatId || !message.parentId) return;
        clearNotice();
        void send({ chatId, branchId, parentId: message.parentId, answerTo: message.parentId, tier: "cloud" });
      },
      pickSibling: async (_message, siblingId) => {
        if (!chatId || !branchId) return;
        const result = await client.chat.switchSibling.mutate({ projectId, chatId, branchId, messageId: siblingId });
        showBranch(result.branchId, chatId, result.tipMessageId ?? null);
      },
      feedback: async (message, value) => {
        await client.chat.feedback.mutate({ projectId, messageId: message.id, value });
        await refreshThread();
      },
    }),
    [branchId, chatId, client, projectId, refreshThread, showBranch, send, clearNotice],
  );
}
