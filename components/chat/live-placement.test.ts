import { describe, expect, it } from "vitest";
import { placeLive } from "./live-placement";
import type { ThreadMessage } from "./types";
import { connectingAnswer, type LiveAnswer } from "./use-chat-stream";

const message = (id: string) => ({ id }) as ThreadMessage;
const thread = [message("q1"), message("a1"), message("q2"), message("a2")];
const live = (patch: Partial<LiveAnswer>): LiveAnswer => connectingAnswer(patch.mode ?? "send", { state: "streaming", ...patch });

describe("where a live answer hangs before the thread holds it", () => {
  it("shows the thread as it is without a live answer, or once it holds the answer", () => {
    expect(placeLive(thread, null)).toEqual({ shown: thread, pendingQuestion: null, inThread: false, elsewhere: false });
    expect(placeLive(thread, live({ assistantMessageId: "a2" }))).toMatchObject({ shown: thread, inThread: true });
  });

  it("cuts the branch after the message a sent question follows, and shows the question", () => {
    expect(placeLive(thread, live({ parentId: "a1", pendingUserText: "And then?" }))).toEqual({
      shown: thread.slice(0, 2),
      pendingQuestion: "And then?",
      inThread: false,
      elsewhere: false,
    });
    // the first question of a chat: nothing above it
    expect(placeLive(thread, live({ parentId: null, pendingUserText: "Hi" })).shown).toEqual([]);
    // re-answering keeps the question it answers, and shows no pending one once the thread has it
    expect(placeLive(thread, live({ answerTo: "q2", parentId: "q2", userMessageId: "q2", pendingUserText: null }))).toMatchObject({ shown: thread.slice(0, 3), pendingQuestion: null });
  });

  it("marks an answer this tab only watches, on another branch, as elsewhere", () => {
    expect(placeLive(thread, live({ mode: "attach", assistantMessageId: "other", branchId: "b2" }))).toMatchObject({ shown: thread, elsewhere: true });
    expect(placeLive(thread, live({ mode: "attach" })).elsewhere).toBe(false);
  });
});
