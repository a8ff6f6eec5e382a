import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { chatStreams, messages, usageEvents } from "@/db/schema";
import { isFinal, type StreamEvent } from "@/lib/chat-protocol";
import { chatEnvironment } from "@/testing/chat-environment";
import { ledgerEvents, newRequestId, textOf } from "@/testing/chat-turns";
import { makeProject } from "@/testing/fixtures";
import { createChat } from "./chats";
import { LEDGER_WINDOW_MS, LedgerWriter, ledgerInserts, ledgerText } from "./stream/ledger";
import { billingRequestId } from "./stream/producer";
import { tailLedger } from "./stream/reader";
import { recoverInterruptedStreams } from "./stream/recover";
import { answerFinished } from "./stream/registry";
import { startChatTurn } from "./stream/start";
import { requestStop } from "./stream/stop";
import { prepareTurn } from "./turns";

/**
 * The ledger coalesces tokens into one insert per window (stream/ledger.ts);
 * these pin that a reader — the POST's, one that drops and resumes with
 * Last-Event-ID at arbitrary points, one that follows from the table as
 * another instance does — still sees every event exactly once, in order, with
 * ids that never skip or repeat, through Stop and through a crash.
 */
const env = chatEnvironment();

type Frame = { id: number; event: StreamEvent };

/** A small seeded generator, so a failing run can be replayed (the seed is in the test's name). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Reads SSE frames from a tail of the ledger; after `cutAfter` frames it hangs up, like a dropped connection. */
async function readFrames(stream: ReadableStream<Uint8Array>, cutAfter = Number.POSITIVE_INFINITY): Promise<Frame[]> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return frames;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const raw = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf("\n\n");
      const id = /^id: (\d+)/m.exec(raw)?.[1];
      const data = /^data: (.*)$/m.exec(raw)?.[1];
      if (!id || !data) continue; // keep-alive comments
      frames.push({ id: Number(id), event: JSON.parse(data) as StreamEvent });
      if (frames.length >= cutAfter || isFinal(frames.at(-1)?.event ?? {})) {
        await reader.cancel();
        return frames;
      }
    }
  }
}

/** A person whose connection keeps dropping: reads a few frames, reconnects with Last-Event-ID, until the final event. */
async function resumingReader(db: Parameters<typeof tailLedger>[0], streamId: string, next: () => number): Promise<Frame[]> {
  const seen: Frame[] = [];
  let last = 0;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const frames = await readFrames(tailLedger(db, { streamId, afterSeq: last }), 1 + Math.floor(next() * 25));
    seen.push(...frames);
    last = seen.at(-1)?.id ?? last;
    if (isFinal(seen.at(-1)?.event ?? {})) return seen;
    // sometimes the reconnect takes a moment, so the writer runs ahead by a window or more
    if (next() < 0.3) await new Promise((r) => setTimeout(r, next() * 3 * LEDGER_WINDOW_MS));
  }
  throw new Error("the stream never ended");
}

const contiguous = (frames: Frame[], from = 1) => frames.map((f) => f.id).every((id, i) => id === from + i);
const text = (frames: Frame[]) => frames.map((f) => (f.event.type === "content" ? f.event.text : "")).join("");
const tokens = (n: number) => Array.from({ length: n }, (_, i) => `token${i + 1} `).join("");

async function setup() {
  const db = env.database.db;
  const { owner, project } = await makeProject(db);
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  return { db, owner, project, chat };
}

describe("a coalesced ledger, read live and resumed anywhere", () => {
  for (const seed of [1, 7, 42]) {
    it(`the producer's process (seed ${seed}): the POST's reader and a reader that keeps reconnecting each see every token once; far fewer inserts than tokens`, async () => {
      const { db, owner, chat } = await setup();
      const next = random(seed);
      const inserts = ledgerInserts.n;
      // 400 tokens at ~400 a second: several per window
      const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Go [[paced]]", tier: "cloud" } });
      const [live, resumed] = await Promise.all([readFrames(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 })), resumingReader(db, turn.stream.id, next)]);
      await answerFinished(turn.stream.id);
      const ledger = await ledgerEvents(db, turn.stream.id);
      for (const frames of [live, resumed]) {
        expect(contiguous(frames)).toBe(true);
        expect(frames.map((f) => f.id)).toEqual(ledger.map((r) => r.seq));
        expect(text(frames)).toBe(tokens(400));
        expect(frames.at(-1)?.event.type).toBe("end");
      }
      const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
      expect(message?.content).toBe(tokens(400));
      expect(textOf(ledger)).toBe(tokens(400));
      // coalesced: one insert per window, not per token (400 tokens + phases + end)
      const made = ledgerInserts.n - inserts;
      expect(made).toBeGreaterThan(1);
      expect(made).toBeLessThan(120);
      // and once it is over, a resume from any id replays exactly the rest, from the table
      for (let i = 0; i < 8; i++) {
        const after = Math.floor(next() * ledger.length);
        const rest = await readFrames(tailLedger(db, { streamId: turn.stream.id, afterSeq: after }));
        expect(rest.map((f) => f.id)).toEqual(ledger.slice(after).map((r) => r.seq));
      }
    });
  }

  it("a reader following from the table (as on another instance) sees bursts and trickles across window edges exactly once", async () => {
    const { db, owner, project, chat } = await setup();
    const turn = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "table", requestId: newRequestId(), by: owner.id });
    // no producer registered in this process: readers go to the table
    const writer = new LedgerWriter(db, turn.stream.id);
    const next = random(99);
    const readers = [readFrames(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 })), resumingReader(db, turn.stream.id, random(5))];
    writer.append({ type: "metadata", phase: "analyzing", agent: "arbor" });
    for (let i = 0; i < 250; i++) {
      writer.append({ type: "content", text: `token${i + 1} ` });
      const pause = [0, 0, 0, 1, 5, LEDGER_WINDOW_MS - 2, LEDGER_WINDOW_MS + 3, 2 * LEDGER_WINDOW_MS][Math.floor(next() * 8)] ?? 0;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
    writer.append({ type: "end", tokensUsed: { prompt: 1, completion: 250 }, costMicros: "0", totalLatencyMs: 1, messageId: turn.assistantMessageId, status: "complete" });
    await writer.flush();
    writer.close();
    const ledger = await ledgerEvents(db, turn.stream.id);
    expect(ledger.map((r) => r.seq)).toEqual(Array.from({ length: 252 }, (_, i) => i + 1));
    for (const frames of await Promise.all(readers)) {
      expect(frames.map((f) => f.id)).toEqual(ledger.map((r) => r.seq));
      expect(text(frames)).toBe(tokens(250));
    }
    expect(writer.batches).toBeLessThan(252);
  });

  it("Stop: what was produced before it reaches the ledger before `end`, is kept as the answer and charged once", async () => {
    const { db, owner, project, chat } = await setup();
    const requestId = newRequestId();
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId, chatId: chat.id, parentId: null, content: "Go [[paced]]", tier: "cloud" } });
    const resumed = resumingReader(db, turn.stream.id, random(3));
    const early = await readFrames(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 }), 60);
    expect(early.length).toBe(60);
    await requestStop(db, { projectId: project.id, streamId: turn.stream.id });
    await answerFinished(turn.stream.id);
    const frames = await resumed;
    const ledger = await ledgerEvents(db, turn.stream.id);
    expect(frames.map((f) => f.id)).toEqual(ledger.map((r) => r.seq));
    expect(frames.at(-1)?.event).toMatchObject({ type: "end", status: "stopped" });
    const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message?.status).toBe("stopped");
    expect(message?.content).toBe(text(frames));
    expect(text(frames).length).toBeGreaterThan(0);
    expect(tokens(400).startsWith(text(frames))).toBe(true);
    const usage = await db.select().from(usageEvents).where(eq(usageEvents.requestId, billingRequestId(owner.id, requestId)));
    expect(usage).toHaveLength(1);
  });

  it("a crash with tokens still waiting for their window: readers see what was stored, then the sweeper's end — each once; the answer keeps exactly that", async () => {
    const { db, owner, project, chat } = await setup();
    const turn = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "crash", requestId: newRequestId(), by: owner.id });
    let refused = false;
    const writer = new LedgerWriter(db, turn.stream.id, 0, () => {
      refused = true;
    });
    const readers = [readFrames(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 })), resumingReader(db, turn.stream.id, random(11))];
    writer.append({ type: "metadata", phase: "generating", agent: "arbor" });
    for (let i = 0; i < 30; i++) {
      writer.append({ type: "content", text: `token${i + 1} ` });
      await new Promise((r) => setTimeout(r, 2));
    }
    // the last tokens are still in their window when the instance "dies" and the sweeper claims the stream
    expect(await recoverInterruptedStreams(db, { staleMs: 0 })).toBeGreaterThanOrEqual(1);
    for (let i = 30; i < 40; i++) writer.append({ type: "content", text: `token${i + 1} ` });
    await expect(writer.flush()).rejects.toThrow(/no longer running/);
    expect(refused).toBe(true);
    writer.close();
    const ledger = await ledgerEvents(db, turn.stream.id);
    expect(ledger.map((r) => r.seq)).toEqual(Array.from({ length: ledger.length }, (_, i) => i + 1));
    expect(ledger.at(-1)?.event).toMatchObject({ type: "error", code: "interrupted" });
    const kept = textOf(ledger);
    expect(tokens(40).startsWith(kept)).toBe(true);
    for (const frames of await Promise.all(readers)) {
      expect(frames.map((f) => f.id)).toEqual(ledger.map((r) => r.seq));
      expect(text(frames)).toBe(kept);
    }
    const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message).toMatchObject({ status: "interrupted", content: kept });
    expect(await ledgerText(db, turn.stream.id)).toBe(kept);
    const [stream] = await db.select({ status: chatStreams.status }).from(chatStreams).where(eq(chatStreams.id, turn.stream.id));
    expect(stream?.status).toBe("done");
  });
});
