import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { chatStreams, streamEvents } from "@/db/schema";
import { PRODUCER_GONE_AFTER_MS } from "@/server/billing/expiry";
import { newRequestId } from "@/testing/chat-turns";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { createChat } from "./chats";
import { AnswerRun, HEARTBEAT_MS } from "./stream/answer-run";
import { recoverInterruptedStreams } from "./stream/recover";
import { prepareTurn } from "./turns";

process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());
afterEach(() => {
  vi.useRealTimers();
});

/**
 * A real producer (AnswerRun: its heartbeat, its ledger writer) whose timers
 * the test drives, for a stream "of another instance": it is not in this
 * process's registry, so the sweeper treats it exactly as it would a stream
 * written by another app instance on the same Postgres.
 */
async function liveProducer() {
  const db = database.db;
  const { owner, project } = await makeProject(db);
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  const turn = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "a long think", requestId: newRequestId(), by: owner.id });
  const [stream] = await db.select().from(chatStreams).where(eq(chatStreams.id, turn.stream.id));
  if (!stream?.assistantMessageId || !stream.userMessageId || !stream.startedBy) throw new Error("turn without its rows");
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  const run = new AnswerRun(db, { ...stream, assistantMessageId: stream.assistantMessageId, userMessageId: stream.userMessageId, startedBy: stream.startedBy }, project.id, new AbortController());
  run.watch();
  return { run, streamId: stream.id };
}

/** The database clock moves on by `seconds` for this stream (its heartbeat by `heartbeatSeconds`, if that differs). */
const age = (streamId: string, seconds: number, heartbeatSeconds = seconds) =>
  Promise.all([
    database.db.execute(sql`update chat_streams set heartbeat_at = now() - make_interval(secs => ${heartbeatSeconds}), created_at = created_at - make_interval(secs => ${seconds}) where id = ${streamId}`),
    database.db.execute(sql`update stream_events set created_at = created_at - make_interval(secs => ${seconds}) where stream_id = ${streamId}`),
  ]);
const heartbeatAgeSeconds = async (streamId: string) => {
  const [row] = await database.db.select({ s: sql<number>`extract(epoch from now() - ${chatStreams.heartbeatAt})`.mapWith(Number) }).from(chatStreams).where(eq(chatStreams.id, streamId));
  return row?.s ?? Number.NaN;
};
const seqs = async (streamId: string) =>
  (await database.db.select({ seq: streamEvents.seq }).from(streamEvents).where(eq(streamEvents.streamId, streamId)).orderBy(streamEvents.seq)).map((r) => r.seq);
const status = async (streamId: string) => (await database.db.select({ status: chatStreams.status }).from(chatStreams).where(eq(chatStreams.id, streamId)))[0]?.status;

describe("the stale-stream sweeper and a live producer on shared Postgres", () => {
  it("never sweeps a stream quiet for minutes while its producer renews the heartbeat, even when they race", async () => {
    const { run, streamId } = await liveProducer();
    run.onText("Thinking hard");
    await run.ledger.flush();
    for (let beat = 0; beat < 4; beat++) {
      // 200 s without a word (the old sweeper cut such a stream off at 180 s) — but the producer's heart beats:
      // when the sweeper looks, the last beat is at most a few beats old, never PRODUCER_GONE_AFTER_MS.
      await age(streamId, 200, (3 * HEARTBEAT_MS) / 1000);
      vi.advanceTimersByTime(HEARTBEAT_MS);
      // The sweeper runs at the same moment as the beat, as it would on another instance.
      await Promise.all([recoverInterruptedStreams(database.db, { staleMs: PRODUCER_GONE_AFTER_MS }), expect.poll(() => heartbeatAgeSeconds(streamId), { timeout: 5_000 }).toBeLessThan(5)]);
      await recoverInterruptedStreams(database.db, { staleMs: PRODUCER_GONE_AFTER_MS });
      expect(await status(streamId)).toBe("running");
      expect(run.gone).toBe(false);
      run.onText(` … step ${beat}`);
      await run.ledger.flush();
    }
    expect(run.abort.signal.aborted).toBe(false);
    expect(await seqs(streamId)).toEqual([1, 2, 3, 4, 5]);
    run.stopWatching();
    run.ledger.close();
  });

  it("sweeps once the heartbeat stops, and the producer's late writes can neither collide with nor follow the sweep", async () => {
    const { run, streamId } = await liveProducer();
    run.onText("Half an answer");
    await run.ledger.flush();
    // the producer's instance dies: no more beats
    run.stopWatching();
    await age(streamId, PRODUCER_GONE_AFTER_MS / 1000 + 10);
    // its last batch races the sweep
    run.onText(" and a last word");
    const [swept] = await Promise.all([recoverInterruptedStreams(database.db, { staleMs: PRODUCER_GONE_AFTER_MS }), run.ledger.flush().catch(() => "refused")]);
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(await status(streamId)).toBe("done");
    const events = await database.db.select().from(streamEvents).where(eq(streamEvents.streamId, streamId)).orderBy(streamEvents.seq);
    // numbered 1..n without a gap or a repeat, and the sweep's error is the last word
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event).toMatchObject({ type: "error", code: "interrupted" });
    run.onText(" too late");
    await expect(run.ledger.flush()).rejects.toThrow(/no longer running/);
    expect(run.gone).toBe(true);
    expect(await seqs(streamId)).toEqual(events.map((e) => e.seq));
    run.ledger.close();
  });
});
