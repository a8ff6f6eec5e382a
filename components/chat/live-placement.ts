import type { ThreadMessage } from "./types";
import type { LiveAnswer } from "./use-chat-stream";

export type LivePlacement = {
  /** the thread's messages to show */
  shown: ThreadMessage[];
  /** the question just sent, until the thread holds it */
  pendingQuestion: string | null;
  /** the live answer is already a message of the thread (its text is laid over that message) */
  inThread: boolean;
  /** the live answer belongs to another branch of this chat */
  elsewhere: boolean;
};

/**
 * Where a live answer hangs before the thread holds it: the branch up to the
 * message it follows, the question just sent, the answer so far. An answer
 * this tab only watches (another member's, or after a reload) that is not in
 * this branch is "elsewhere".
 */
export function placeLive(messages: ThreadMessage[], live: LiveAnswer | null): LivePlacement {
  const inThread = Boolean(live?.assistantMessageId && messages.some((m) => m.id === live.assistantMessageId));
  if (!live || inThread) return { shown: messages, pendingQuestion: null, inThread, elsewhere: false };
  if (live.mode === "send") {
    const cut = live.answerTo ?? live.parentId;
    const index = cut ? messages.findIndex((m) => m.id === cut) : -1;
    const shown = cut === null ? [] : index >= 0 ? messages.slice(0, index + 1) : messages;
    const pendingQuestion = live.pendingUserText && !shown.some((m) => m.id === live.userMessageId) ? live.pendingUserText : null;
    return { shown, pendingQuestion, inThread, elsewhere: false };
  }
  return { shown: messages, pendingQuestion: null, inThread, elsewhere: Boolean(live.assistantMessageId || live.branchId) };
}
