import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { reservations } from "@/db/schema";
import { returnHold } from "./release";

/**
 * Gives back holds a crashed or killed process never settled. Each hold is
 * claimed by a conditional UPDATE (status open → expired) in the same
 * transaction that returns the money, so two instances never return it twice.
 */
export async function expireReservations(db: Db, now = new Date()): Promise<number> {
  const due = await db
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(eq(reservations.status, "open"), lt(reservations.expiresAt, now)))
    .limit(200);
  let expired = 0;
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const [closed] = await tx
        .update(reservations)
        .set({ status: "expired", closedAt: now })
        .where(and(eq(reservations.id, id), eq(reservations.status, "open")))
        .returning();
      if (!closed) return;
      await returnHold(tx, closed);
      expired++;
    });
  }
  return expired;
}
