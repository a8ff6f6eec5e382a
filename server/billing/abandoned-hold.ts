import "server-only";
import { eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { reservations } from "@/db/schema";
import { releaseReservation } from "./release";
import { settleReservation } from "./settle";

/** What a dead producer's answer shows it used: whether it called the cloud, and the text it wrote. */
export type Produced = { calledCloud: boolean; text: string };

/**
 * Read from the stream's ledger (stream_events), which every token reaches
 * before any reader: the text written and whether the cloud call started
 * (its `generating` phase event with tier cloud).
 */
export async function producedByStream(db: Db, { streamId }: { streamId: string }): Promise<Produced> {
  const [row] = await queryRows<{ text: string | null; called: boolean | null }>(
    db,
    sql`select string_agg(event->>'text', '' order by seq) filter (where event->>'type' = 'content') as text,
          bool_or(event->>'type' = 'metadata' and event->>'phase' = 'generating' and event->>'tier' = 'cloud') as called
        from stream_events where stream_id = ${streamId}`,
  );
  return { calledCloud: Boolean(row?.called), text: row?.text ?? "" };
}

/**
 * Settles a hold whose producer died, for what the answer produced: the
 * output from the text (bounded like any output: a token per byte at most,
 * never past the hold's max_tokens) and the input of the request the hold
 * recorded (its bound — the real count died with the process). A call that
 * never started is released. Exactly once, like every settle; returns the charge.
 */
export async function settleAbandonedHold(db: Db, { reservationId, messageId, produced }: { reservationId: string; messageId: string | null; produced: Produced }): Promise<bigint> {
  const [hold] = await db.select().from(reservations).where(eq(reservations.id, reservationId));
  if (hold?.status !== "open") return 0n;
  if (!produced.calledCloud) {
    await releaseReservation(db, { reservationId });
    return 0n;
  }
  const tokensOut = Math.min(hold.boundTokensOut, Buffer.byteLength(produced.text, "utf8"));
  const settled = await settleReservation(db, { reservationId, messageId, usage: { tokensIn: hold.boundTokensIn, tokensOut } });
  return settled.chargedMicros;
}
