import { describe, expect, it } from "vitest";
import { chatRequestSchema, isFinal, parseStreamEvent, sseFrame, type StreamEvent } from "./chat-protocol";

const data = (frame: string) => /^data: (.*)$/m.exec(frame)?.[1] ?? "";

describe("the chat stream's wire format, shared by the route and the client", () => {
  it("reads back every event the server frames, with every field it sent", () => {
    const events: StreamEvent[] = [
      { type: "metadata", phase: "analyzing", agent: "arbor", userMessageId: "u1", assistantMessageId: "a1", branchId: "b1" },
      { type: "metadata", phase: "generating", agent: "claude", tier: "cloud", model: "claude-sonnet-5-5" },
      { type: "content", text: "Hello [1]" },
      { type: "end", tokensUsed: { prompt: 12, completion: 3 }, costMicros: "42", totalLatencyMs: 120, messageId: "a1", status: "stopped" },
      { type: "error", code: "quota_exceeded:member", message: "Your quota is spent." },
    ];
    events.forEach((event, i) => {
      const frame = sseFrame(i + 1, event);
      expect(frame.startsWith(`id: ${i + 1}\n`)).toBe(true);
      expect(parseStreamEvent(data(frame))).toEqual(event);
    });
  });

  it("skips what it does not understand instead of trusting it", () => {
    expect(parseStreamEvent("not json")).toBeNull();
    expect(parseStreamEvent(JSON.stringify({ type: "surprise" }))).toBeNull();
    expect(parseStreamEvent(JSON.stringify({ type: "metadata", agent: "x", phase: "dreaming" }))).toBeNull();
    expect(parseStreamEvent(JSON.stringify({ type: "end", costMicros: "1.5", tokensUsed: { prompt: 1, completion: 1 }, totalLatencyMs: 1, messageId: "m", status: "complete" }))).toBeNull();
    // a field a newer server adds is dropped, the event still reads
    expect(parseStreamEvent(JSON.stringify({ type: "content", text: "hi", extra: true }))).toEqual({ type: "content", text: "hi" });
  });

  it("knows which events end a stream", () => {
    expect(isFinal({ type: "end" })).toBe(true);
    expect(isFinal({ type: "error" })).toBe(true);
    expect(isFinal({ type: "content" })).toBe(false);
  });

  it("validates the request body and fills in the tier", () => {
    const ok = chatRequestSchema.parse({ requestId: "request-1", chatId: "7d4f3b9e-1c2a-4b5d-8e6f-0a1b2c3d4e5f", content: "hi" });
    expect(ok.tier).toBe("auto");
    const bad = chatRequestSchema.safeParse({ requestId: "x", chatId: "nope" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["requestId", "chatId"]);
  });
});
