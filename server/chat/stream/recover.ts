import "server-only";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { chatStreams, messages, reservations, streamEvents, usageEvents } from "@/db/schema";
import { producedByStream, settleAbandonedHold } from "@/server/billing/abandoned-hold";
import { billingRequestId } from "./answer-run";
import { lastLedgerSeq, ledgerText } from "./ledger";
import { runningHere } from "./registry";

const INTERRUPTED = "The server writing this answer stopped before it finished (a restart, or an instance that died). What was written so far is kept; press Regenerate for a full answer.";

/**
 * Answers whose producer died: mark them `interrupted` with the text the
 * ledger holds (the row may lag it), end their ledgers with an error event so
 * watchers stop waiting, and settle their holds for what was produced.
 * Only a stream whose heartbeat is older than `staleMs` is touched (its
 * producer renews it every few seconds wherever it runs), so on shared
 * Postgres a live but quiet stream of another instance is never cut off.
 * The stream is claimed by a conditional update of its row before its final
 * event is numbered: a late batch of its producer then waits, or stores
 * nothing (server/chat/stream/ledger.ts) — sequence numbers cannot collide.
 */
export async function recoverInterruptedStreams(db: Db, { staleMs }: { staleMs: number }): Promise<number> {
  const mine = new Set(runningHere());
  const stale = await queryRows<{ id: string }>(
    db,
    sql`select id from chat_streams where status = 'running' and heartbeat_at < now() - make_interval(secs => ${staleMs / 1000})`,
  );
  let count = 0;
  for (const { id } of stale) {
    if (mine.has(id)) continue;
    if (await interruptStream(db, { streamId: id, staleMs })) count++;
  }
  // Answers marked streaming without a stream row (should not happen, but never leave a spinner forever).
  const orphans = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.status, "streaming"),
        sql`not exists (select 1 from chat_streams s where s.assistant_message_id = ${messages.id} and s.status = 'running')`,
        sql`${messages.createdAt} < now() - make_interval(secs => ${staleMs / 1000})`,
      ),
    );
  if (orphans.length > 0) {
    await db
      .update(messages)
      .set({ status: "interrupted", error: INTERRUPTED })
      .where(inArray(messages.id, orphans.map((o) => o.id)));
  }
  return count + orphans.length;
}

async function interruptStream(db: Db, { streamId, staleMs }: { streamId: string; staleMs: number }): Promise<boolean> {
  const stream = await db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(chatStreams)
      .set({ status: "done", finishedAt: new Date() })
      .where(and(eq(chatStreams.id, streamId), eq(chatStreams.status, "running"), sql`${chatStreams.heartbeatAt} < now() - make_interval(secs => ${staleMs / 1000})`))
      .returning();
    if (!claimed) return null;
    const seq = (await lastLedgerSeq(tx, streamId)) + 1;
    await tx.insert(streamEvents).values({ streamId, seq, event: { type: "error", code: "interrupted", message: INTERRUPTED } });
    return claimed;
  });
  if (!stream) return false;
  const text = await ledgerText(db, streamId);
  let costMicros = 0n;
  const holdsOf = stream.startedBy
    ? or(eq(reservations.streamId, streamId), eq(reservations.requestId, billingRequestId(stream.startedBy, stream.requestId)))
    : eq(reservations.streamId, streamId);
  const holds = await db.select({ id: reservations.id, requestId: reservations.requestId }).from(reservations).where(and(holdsOf, eq(reservations.status, "open")));
  // what the answer's badge shows: the cloud call it was, and the usage it was charged for
  let charged: { tier: "cloud"; model: string; tokensIn: number; tokensOut: number } | null = null;
  if (holds.length > 0) {
    const produced = await producedByStream(db, { streamId });
    for (const hold of holds) costMicros += await settleAbandonedHold(db, { reservationId: hold.id, messageId: stream.assistantMessageId, produced });
    const [usage] = await db
      .select({ model: usageEvents.model, tokensIn: usageEvents.tokensIn, tokensOut: usageEvents.tokensOut })
      .from(usageEvents)
      .where(inArray(usageEvents.requestId, holds.map((hold) => hold.requestId)));
    if (usage) charged = { tier: "cloud", ...usage };
  }
  if (stream.assistantMessageId) {
    await db
      .update(messages)
      .set({
        status: "interrupted",
        error: INTERRUPTED,
        content: sql`case when length(${messages.content}) >= ${text.length} then ${messages.content} else ${text} end`,
        ...(costMicros > 0n ? { costMicros } : {}),
        ...(charged ?? {}),
      })
      .where(and(eq(messages.id, stream.assistantMessageId), eq(messages.status, "streaming")));
  }
  return true;
}
