import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, chatStreams, memberSpend, messages, reservations, streamEvents, usageEvents } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { claudeRequest, claudeUsageBound } from "@/server/ai/claude";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { expireReservations } from "@/server/billing/expiry";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { makeProject } from "@/testing/fixtures";
import { createChat } from "./chats";
import { billingRequestId } from "./stream/producer";
import { LedgerWriter, ledgerText } from "./stream/ledger";
import { recoverInterruptedStreams } from "./stream/recover";
import { newRequestId } from "@/testing/chat-turns";
import { prepareTurn } from "./turns";

process.env.ENCRYPTION_KEY ??= "c".repeat(64);
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(() => database.close());

/**
 * A turn whose producer runs "on another instance" (or died): its rows, a
 * cloud hold for its request, and a ledger this test writes itself.
 */
async function turnOnAnotherInstance() {
  const db = database.db;
  const { owner, project } = await makeProject(db);
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  const turn = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "elsewhere", requestId: newRequestId(), by: owner.id });
  const request = claudeRequest({ model: "claude-sonnet-5-5", system: "You help.", messages: [{ role: "user", content: "elsewhere" }], maxTokens: 500 });
  const hold = await reserveCloudBudget(db, {
    projectId: project.id,
    actorId: owner.id,
    requestId: billingRequestId(owner.id, turn.stream.requestId),
    model: request.model,
    bound: claudeUsageBound(request),
    streamId: turn.stream.id,
  });
  const ledger = new LedgerWriter(db, turn.stream.id);
  ledger.append({ type: "metadata", phase: "generating", agent: "claude", tier: "cloud", model: request.model });
  ledger.append({ type: "content", text: "Partial answer — 部分的 " });
  await ledger.flush();
  return { owner, project, turn, hold, ledger, bound: claudeUsageBound(request) };
}

const quiet = (streamId: string, seconds: number) =>
  database.db.execute(sql`update stream_events set created_at = now() - make_interval(secs => ${seconds}) where stream_id = ${streamId}`);
const heartbeatAgo = (streamId: string, seconds: number) =>
  database.db.execute(sql`update chat_streams set heartbeat_at = now() - make_interval(secs => ${seconds}), created_at = now() - make_interval(secs => ${seconds}) where id = ${streamId}`);

describe("the stale-stream sweeper on shared Postgres", () => {
  it("leaves a quiet stream alone while its producer renews its heartbeat", async () => {
    const { turn, ledger } = await turnOnAnotherInstance();
    await quiet(turn.stream.id, 200);
    await database.db.execute(sql`update chat_streams set created_at = now() - interval '200 seconds' where id = ${turn.stream.id}`);
    await recoverInterruptedStreams(database.db, { staleMs: 60_000 });
    const [stream] = await database.db.select().from(chatStreams).where(eq(chatStreams.id, turn.stream.id));
    expect(stream?.status).toBe("running");
    // the live producer writes on, and nothing collides
    ledger.append({ type: "content", text: "and more" });
    await ledger.flush();
    expect(await ledgerText(database.db, turn.stream.id)).toBe("Partial answer — 部分的 and more");
    ledger.close();
  });

  it("sweeps a stream whose heartbeat stopped; a producer that wakes up later cannot write past the sweep", async () => {
    const { turn, ledger } = await turnOnAnotherInstance();
    await heartbeatAgo(turn.stream.id, 120);
    expect(await recoverInterruptedStreams(database.db, { staleMs: 60_000 })).toBeGreaterThanOrEqual(1);
    const events = await database.db.select().from(streamEvents).where(eq(streamEvents.streamId, turn.stream.id));
    expect(events.at(-1)?.event).toMatchObject({ type: "error", code: "interrupted" });
    ledger.append({ type: "content", text: "too late" });
    await expect(ledger.flush()).rejects.toThrow(/no longer running/);
    const after = await database.db.select().from(streamEvents).where(eq(streamEvents.streamId, turn.stream.id));
    expect(after.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    ledger.close();
  });
});

describe("a crash charges for what was produced", () => {
  it("recovery charges the output in the ledger and the input of the recorded request, and releases only the rest", async () => {
    const { owner, project, turn, hold, ledger, bound } = await turnOnAnotherInstance();
    ledger.close();
    await heartbeatAgo(turn.stream.id, 120);
    await recoverInterruptedStreams(database.db, { staleMs: 60_000 });
    const [usage] = await database.db.select().from(usageEvents).where(eq(usageEvents.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    const produced = Buffer.byteLength("Partial answer — 部分的 ", "utf8");
    expect(usage).toMatchObject({ tokensIn: bound.tokensIn, tokensOut: produced, messageId: turn.assistantMessageId });
    const [row] = await database.db.select().from(reservations).where(eq(reservations.id, hold.reservationId));
    expect(row?.status).toBe("settled");
    const [account] = await database.db.select().from(billingAccounts).where(eq(billingAccounts.userId, owner.id));
    expect(account?.reservedMicros).toBe(0n);
    expect(account?.periodSpentMicros).toBe(usage?.costBasisMicros);
    const [member] = await database.db.select().from(memberSpend).where(and(eq(memberSpend.projectId, project.id), eq(memberSpend.userId, owner.id)));
    expect(member).toMatchObject({ reservedMicros: 0n, spentMicros: usage?.costBasisMicros });
    const [message] = await database.db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message).toMatchObject({ status: "interrupted", costMicros: usage?.costBasisMicros });
    // the answer's badge tells the truth: a cloud answer, with the usage it was charged for (it showed "Local · 0 in · 0 out")
    expect(message).toMatchObject({ tier: "cloud", model: usage?.model, tokensIn: usage?.tokensIn, tokensOut: usage?.tokensOut });
  });

  it("the hold expiry worker does the same for a hold whose producer died", async () => {
    const { owner, turn, hold, ledger } = await turnOnAnotherInstance();
    ledger.close();
    await heartbeatAgo(turn.stream.id, 120);
    await expireReservations(database.db, { now: new Date(Date.now() + 60 * 60 * 1000) });
    const [usage] = await database.db.select().from(usageEvents).where(eq(usageEvents.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(usage?.tokensOut).toBe(Buffer.byteLength("Partial answer — 部分的 ", "utf8"));
    const [row] = await database.db.select().from(reservations).where(eq(reservations.id, hold.reservationId));
    expect(row?.status).toBe("settled");
  });

  it("the expiry worker leaves a hold alone while its producer is alive", async () => {
    const { turn, hold, ledger } = await turnOnAnotherInstance();
    await expireReservations(database.db, { now: new Date(Date.now() + 60 * 60 * 1000) });
    const [row] = await database.db.select().from(reservations).where(eq(reservations.id, hold.reservationId));
    expect(row?.status).toBe("open");
    ledger.close();
    await database.db.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.id, turn.stream.id));
  });
});
