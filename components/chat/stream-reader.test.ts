import { describe, expect, it } from "vitest";
import type { StreamEvent } from "@/lib/chat-protocol";
import { followStream, newRun, readEvents } from "./stream-reader";

const frame = (id: number, data: unknown) => `id: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
const content = (text: string) => ({ type: "content", text });
const end = { type: "end", tokensUsed: { prompt: 3, completion: 4 }, costMicros: "123", totalLatencyMs: 50, messageId: "m1", status: "complete" };

/** An SSE response whose body sends `chunks`, then either closes or fails like a dropped connection. */
function sseResponse(chunks: string[], { drop = false } = {}): Response {
  const encoder = new TextEncoder();
  const queue = [...chunks];
  // Pull-based, so the drop comes after the reader got every chunk (erroring discards queued ones).
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next !== undefined) controller.enqueue(encoder.encode(next));
      else if (drop) controller.error(new TypeError("network error"));
      else controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
}

function collect() {
  const events: StreamEvent[] = [];
  return { events, onEvent: (event: StreamEvent) => events.push(event), text: () => events.map((e) => (e.type === "content" ? e.text : "")).join("") };
}

describe("readEvents", () => {
  it("reports a drop before the end, remembering the last event id", async () => {
    const run = newRun("s1");
    const sink = collect();
    const outcome = await readEvents(sseResponse([frame(1, content("Hel")), frame(2, content("lo"))], { drop: true }), run, sink.onEvent);
    expect(outcome).toBe("dropped");
    expect(run.lastEventId).toBe("2");
    expect(sink.text()).toBe("Hello");
  });

  it("stops at the terminal event", async () => {
    const run = newRun("s1");
    const sink = collect();
    const outcome = await readEvents(sseResponse([frame(1, content("Hi")), frame(2, end), frame(3, content("ignored"))]), run, sink.onEvent);
    expect(outcome).toBe("terminal");
    expect(run.terminal).toBe(true);
    expect(sink.events.at(-1)).toMatchObject({ type: "end", costMicros: "123", messageId: "m1" });
  });
});

describe("followStream", () => {
  it("resumes with Last-Event-ID after a drop and finishes the answer", async () => {
    const run = newRun("stream-1");
    run.lastEventId = "2";
    const sink = collect();
    const calls: Array<{ url: string; lastEventId: string | null }> = [];
    const replies = [
      sseResponse([frame(3, content(" wor"))], { drop: true }),
      sseResponse([frame(4, content("ld")), frame(5, end)]),
    ];
    const error = await followStream(run, {
      fresh: false,
      delayMs: 1,
      onEvent: sink.onEvent,
      fetchImpl: async (url, init) => {
        calls.push({ url, lastEventId: new Headers(init?.headers).get("Last-Event-ID") });
        const reply = replies.shift();
        if (!reply) throw new Error("no more replies");
        return reply;
      },
    });
    expect(error).toBeNull();
    expect(calls).toEqual([
      { url: "/api/chat/stream-1", lastEventId: "2" },
      { url: "/api/chat/stream-1", lastEventId: "3" },
    ]);
    expect(sink.text()).toBe(" world");
    expect(run.terminal).toBe(true);
  });

  it("attaches from the first event when nothing was seen yet", async () => {
    const run = newRun("stream-2");
    const sink = collect();
    let header: string | null = "unset";
    await followStream(run, {
      fresh: true,
      onEvent: sink.onEvent,
      fetchImpl: async (_url, init) => {
        header = new Headers(init?.headers).get("Last-Event-ID");
        return sseResponse([frame(1, content("all")), frame(2, end)]);
      },
    });
    expect(header).toBeNull();
    expect(sink.text()).toBe("all");
  });

  it("gives up on an unknown stream with the server's message, and after repeated drops", async () => {
    const unknown = newRun("gone");
    const message = await followStream(unknown, {
      fresh: true,
      onEvent: () => {},
      fetchImpl: async () => Response.json({ error: { code: "not_found:stream", message: "This answer stream does not exist." } }, { status: 404 }),
    });
    expect(message).toBe("This answer stream does not exist.");

    const flaky = newRun("flaky");
    let tries = 0;
    const lost = await followStream(flaky, {
      fresh: true,
      attempts: 2,
      delayMs: 1,
      onEvent: () => {},
      fetchImpl: async () => {
        tries += 1;
        throw new TypeError("offline");
      },
    });
    expect(tries).toBe(3);
    expect(lost).toMatch(/Lost the connection/);
  });
});
