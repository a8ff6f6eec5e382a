import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { billingAccounts, projectMembers, reservations, usageEvents } from "@/db/schema";
import { getModelPrice } from "@/server/ai/model-prices";
import { AppError } from "@/server/errors";
import { rollPeriod } from "./accounts";
import { sendBudgetAlerts } from "./alerts";
import { chargeFor, costBasisMicros } from "./cost";

/**
 * One transaction: lock the payer's account row, price the real usage, insert
 * the usage event (`on conflict do nothing` on request_id — a second settle of
 * the same request changes nothing and returns the first), then move money.
 * A reservation the expiry worker already closed is still charged (the tokens
 * were used) but its hold is not released twice.
 */
export async function settleReservation(
  db: Db,
  args: { reservationId: string; messageId: string | null; model: string; tokensIn: number; tokensOut: number },
): Promise<{ usageEventId: string; chargedMicros: bigint }> {
  const price = await getModelPrice(db, args.model);
  return db.transaction(async (tx) => {
    // Lock order everywhere: reservation row, member row, payer row (release and expiry follow it too).
    const [hold] = await tx.select().from(reservations).where(eq(reservations.id, args.reservationId)).for("update");
    if (!hold) throw new AppError("not_found:reservation", "This budget reservation does not exist.");
    const earlier = await usageFor(tx, hold.requestId);
    if (earlier) return earlier;

    await tx
      .select({ userId: projectMembers.userId })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, hold.projectId), eq(projectMembers.userId, hold.actorId)))
      .for("update");
    await rollPeriod(tx, hold.payerId);
    const [account] = await tx.select().from(billingAccounts).where(eq(billingAccounts.userId, hold.payerId)).for("update");
    if (!account) throw new AppError("not_found:billing_account", "The payer has no billing account.");

    const charge = chargeFor(account.tier, costBasisMicros(price, Math.max(0, args.tokensIn), Math.max(0, args.tokensOut)));
    // Free tier: the monthly allowance pays first, credits after it. Paid tiers: credits first, the rest goes on the invoice.
    const fromAllowance =
      account.tier === "free" ? min(charge.billableMicros, max(0n, account.freeAllowanceMicros - account.periodSpentMicros)) : 0n;
    const creditsApplied = min(account.creditsMicros, charge.billableMicros - fromAllowance);
    const netCharge = charge.billableMicros - creditsApplied;

    const [event] = await tx
      .insert(usageEvents)
      .values({
        requestId: hold.requestId,
        payerId: hold.payerId,
        actorId: hold.actorId,
        projectId: hold.projectId,
        messageId: args.messageId,
        tier: "cloud",
        billingTier: account.tier,
        provider: price.provider,
        model: args.model,
        tokensIn: Math.max(0, args.tokensIn),
        tokensOut: Math.max(0, args.tokensOut),
        costBasisMicros: charge.costBasisMicros,
        markupMicros: charge.markupMicros,
        feeMicros: charge.feeMicros,
        creditsAppliedMicros: creditsApplied,
        netChargeMicros: netCharge,
      })
      .onConflictDoNothing({ target: usageEvents.requestId })
      .returning({ id: usageEvents.id });
    if (!event) {
      const raced = await usageFor(tx, hold.requestId);
      if (raced) return raced;
      throw new AppError("conflict:usage", "This request was settled concurrently. Please reload.");
    }

    const [claimed] = await tx
      .update(reservations)
      .set({ status: "settled", closedAt: new Date() })
      .where(and(eq(reservations.id, hold.id), eq(reservations.status, "open")))
      .returning({ id: reservations.id });
    const release = claimed ? hold.amountMicros : 0n;

    const [after] = await tx
      .update(billingAccounts)
      .set({
        creditsMicros: sql`${billingAccounts.creditsMicros} - ${creditsApplied}`,
        periodSpentMicros: sql`${billingAccounts.periodSpentMicros} + ${charge.chargedMicros}`,
        reservedMicros: sql`greatest(0, ${billingAccounts.reservedMicros} - ${release})`,
        unbilledMicros: sql`${billingAccounts.unbilledMicros} + ${account.tier === "free" ? 0n : netCharge}`,
        updatedAt: sql`now()`,
      })
      .where(eq(billingAccounts.userId, hold.payerId))
      .returning();
    await tx
      .update(projectMembers)
      .set({
        spentMicros: sql`${projectMembers.spentMicros} + ${charge.chargedMicros}`,
        reservedMicros: sql`greatest(0, ${projectMembers.reservedMicros} - ${release})`,
        lastActiveAt: new Date(),
      })
      .where(and(eq(projectMembers.projectId, hold.projectId), eq(projectMembers.userId, hold.actorId)));
    if (after) await sendBudgetAlerts(tx, after);
    return { usageEventId: event.id, chargedMicros: charge.chargedMicros };
  });
}

async function usageFor(db: Db, requestId: string) {
  const [row] = await db
    .select({
      usageEventId: usageEvents.id,
      chargedMicros: sql<bigint>`${usageEvents.costBasisMicros} + ${usageEvents.markupMicros} + ${usageEvents.feeMicros}`.mapWith(BigInt),
    })
    .from(usageEvents)
    .where(eq(usageEvents.requestId, requestId))
    .limit(1);
  return row ?? null;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
