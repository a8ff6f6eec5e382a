import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { reservations } from "@/db/schema";
import { producedByStream, settleAbandonedHold } from "./abandoned-hold";
import { returnHold } from "./release";
import { RESERVATION_TTL_MS } from "./hold-statement";

/**
 * A producer that has not renewed its stream's heartbeat (every 5 s,
 * server/chat/stream/answer-run.ts) for this long is gone. With the sweep
 * below, an answer whose instance died is marked interrupted, and its hold
 * settled, by any other instance within PRODUCER_GONE_AFTER_MS +
 * STALE_STREAM_SWEEP_MS of the death (25 s; docs/scaling.md). Four missed
 * beats, so an event loop stalled for a few seconds is not taken for dead.
 */
export const PRODUCER_GONE_AFTER_MS = 20_000;
/** How often every instance looks for streams whose producer is gone (one indexed query on chat_streams). */
export const STALE_STREAM_SWEEP_MS = 5_000;

/**
 * Worker: holds past their expiry. A hold whose answer is still being
 * written (its producer renews the stream's heartbeat) gets more time; one
 * whose producer died is settled for what its ledger shows was produced;
 * one with no answer at all is given back. Each hold is closed by the same
 * conditional settle or release every path uses, so two instances never
 * close it twice.
 */
export async function expireReservations(db: Db, { now = new Date() }: { now?: Date } = {}): Promise<number> {
  const due = await queryRows<{ id: string; stream_id: string | null; message_id: string | null; alive: boolean | null }>(
    db,
    sql`select r.id, r.stream_id, s.assistant_message_id as message_id,
          (s.status = 'running' and s.heartbeat_at >= now() - make_interval(secs => ${PRODUCER_GONE_AFTER_MS / 1000})) as alive
        from reservations r left join chat_streams s on s.id = r.stream_id
        where r.status = 'open' and r.expires_at < ${now.toISOString()}::timestamptz
        limit 200`,
  );
  let closed = 0;
  for (const hold of due) {
    if (hold.alive) {
      await db
        .update(reservations)
        .set({ expiresAt: new Date(now.getTime() + RESERVATION_TTL_MS) })
        .where(and(eq(reservations.id, hold.id), eq(reservations.status, "open")));
      continue;
    }
    if (hold.stream_id) {
      const produced = await producedByStream(db, { streamId: hold.stream_id });
      await settleAbandonedHold(db, { reservationId: hold.id, messageId: hold.message_id, produced });
      closed++;
      continue;
    }
    const expired = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(reservations)
        .set({ status: "expired", closedAt: now })
        .where(and(eq(reservations.id, hold.id), eq(reservations.status, "open"), lt(reservations.expiresAt, now)))
        .returning();
      if (row) await returnHold(tx, row);
      return Boolean(row);
    });
    if (expired) closed++;
  }
  return closed;
}
