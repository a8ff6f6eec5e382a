import "server-only";
import { and, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { handovers } from "@/db/schema";

/** States in which a handover can still be accepted or cancelled. */
export const OPEN_HANDOVER_STATES = ["pending", "email_sent"] as const;

/**
 * Mark open handovers past their expiry as expired. Called before every read
 * and accept (so correctness never waits for a worker) and by a background
 * worker (so the owner's panel and the feed tell the truth without a visit).
 */
export async function expireHandovers(db: Db, where?: { handoverId?: string; projectId?: string }): Promise<number> {
  const rows = await db
    .update(handovers)
    .set({ state: "expired", updatedAt: new Date() })
    .where(
      and(
        inArray(handovers.state, [...OPEN_HANDOVER_STATES]),
        lte(handovers.expiresAt, sql`now()`),
        where?.handoverId ? sql`${handovers.id} = ${where.handoverId}` : undefined,
        where?.projectId ? sql`${handovers.projectId} = ${where.projectId}` : undefined,
      ),
    )
    .returning({ id: handovers.id });
  return rows.length;
}
