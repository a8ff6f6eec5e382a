import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { billingAccounts, memberSpend, reservations } from "@/db/schema";

/** Gives a hold back without charging (the call never reached the provider, or billed nothing). Idempotent. */
export async function releaseReservation(db: Db, { reservationId }: { reservationId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [closed] = await tx
      .update(reservations)
      .set({ status: "released", closedAt: new Date() })
      .where(and(eq(reservations.id, reservationId), eq(reservations.status, "open")))
      .returning();
    if (closed) await returnHold(tx, closed);
  });
}

/**
 * Subtracts a closed reservation's amount from the member's and the payer's
 * held totals — in the same lock order as reserve and settle (the member's
 * spend row, then the payer's row), so concurrent transactions never
 * deadlock on Postgres. The member may have left meanwhile: their spend row stays.
 */
export async function returnHold(db: Db, hold: { payerId: string; actorId: string; projectId: string; amountMicros: bigint }) {
  await db
    .update(memberSpend)
    .set({ reservedMicros: sql`greatest(0, ${memberSpend.reservedMicros} - ${hold.amountMicros})`, updatedAt: sql`now()` })
    .where(and(eq(memberSpend.projectId, hold.projectId), eq(memberSpend.userId, hold.actorId)));
  await db
    .update(billingAccounts)
    .set({ reservedMicros: sql`greatest(0, ${billingAccounts.reservedMicros} - ${hold.amountMicros})`, updatedAt: sql`now()` })
    .where(eq(billingAccounts.userId, hold.payerId));
}
