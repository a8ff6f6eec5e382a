import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { chatStreams, messages, reservations } from "@/db/schema";
import { releaseReservation } from "@/server/billing/release";
import { ledgerText, lastLedgerSeq } from "./ledger";
import { billingRequestId } from "./producer";
import { runningHere } from "./registry";
import { streamEvents } from "@/db/schema";

const INTERRUPTED = "The server restarted while this answer was being written. What was written so far is kept; press Regenerate for a full answer.";

/**
 * Answers left `streaming` by a process that died: mark them `interrupted`
 * with the text the ledger holds (the row may lag it), end their ledgers with
 * an error event so watchers stop waiting, and give their budget holds back.
 * `idleMs` protects streams other instances are still writing (shared Postgres).
 */
export async function recoverInterruptedStreams(db: Db, { idleMs = 0 }: { idleMs?: number } = {}): Promise<number> {
  const mine = new Set(runningHere());
  const stale = await queryRows<{ id: string }>(
    db,
    sql`select s.id from chat_streams s
        where s.status = 'running'
          and greatest(s.created_at, coalesce((select max(e.created_at) from stream_events e where e.stream_id = s.id), s.created_at))
              < now() - make_interval(secs => ${idleMs / 1000})`,
  );
  let count = 0;
  for (const { id } of stale) {
    if (mine.has(id)) continue;
    const [stream] = await db.select().from(chatStreams).where(eq(chatStreams.id, id)).limit(1);
    if (!stream) continue;
    const text = await ledgerText(db, stream.id);
    if (stream.assistantMessageId) {
      await db
        .update(messages)
        .set({ status: "interrupted", error: INTERRUPTED, content: sql`case when length(${messages.content}) >= ${text.length} then ${messages.content} else ${text} end` })
        .where(and(eq(messages.id, stream.assistantMessageId), eq(messages.status, "streaming")));
    }
    const seq = (await lastLedgerSeq(db, stream.id)) + 1;
    await db
      .insert(streamEvents)
      .values({ streamId: stream.id, seq, event: { type: "error", code: "interrupted", message: INTERRUPTED } })
      .onConflictDoNothing();
    if (stream.startedBy) {
      const holds = await db
        .select({ id: reservations.id })
        .from(reservations)
        .where(and(eq(reservations.requestId, billingRequestId(stream.startedBy, stream.requestId)), eq(reservations.status, "open")));
      for (const hold of holds) await releaseReservation(db, { reservationId: hold.id });
    }
    await db.update(chatStreams).set({ status: "done", finishedAt: new Date() }).where(eq(chatStreams.id, stream.id));
    count++;
  }
  // Answers marked streaming without a stream row (should not happen, but never leave a spinner forever).
  const orphans = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.status, "streaming"),
        sql`not exists (select 1 from chat_streams s where s.assistant_message_id = ${messages.id} and s.status = 'running')`,
        sql`${messages.createdAt} < now() - make_interval(secs => ${idleMs / 1000})`,
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
