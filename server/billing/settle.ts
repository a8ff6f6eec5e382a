import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { billingAccounts, memberSpend, modelPrices, projectMembers, type Reservation, reservations, usageEvents } from "@/db/schema";
import { AppError } from "@/server/errors";
import { rollPeriod } from "./accounts";
import { sendBudgetAlerts } from "./alerts";
import { chargeFor, costBasisMicros } from "./cost";
import { recordIncident } from "./incidents";
import { findProviderTarget } from "@/server/providers/models";

export type Usage = { tokensIn: number; tokensOut: number };
export type SettledCharge = { usageEventId: string; chargedMicros: bigint };

/**
 * Charges a hold for the usage the upstream reported, on the terms the hold
 * recorded (tier, whose key, the model's prices) — never the account's tier
 * as it is now — and gives the rest of the hold back. One transaction: lock
 * the reservation, then the member's spend row, then the payer (the order
 * every hold and release takes); one usage event per request (`request_id` unique — a second
 * settle returns the first and changes nothing). A hold the expiry worker
 * already closed is still charged (the tokens were used) but not returned twice.
 * Usage past the hold is charged too, and recorded as an incident.
 */
export async function settleReservation(db: Db, { reservationId, messageId, usage }: { reservationId: string; messageId: string | null; usage: Usage }): Promise<SettledCharge> {
  return db.transaction(async (tx) => {
    const [hold] = await tx.select().from(reservations).where(eq(reservations.id, reservationId)).for("update");
    if (!hold) throw new AppError("not_found:reservation", "This budget reservation does not exist.");
    const earlier = await usageFor(tx, hold.requestId);
    if (earlier) return earlier;

    await tx
      .select({ userId: memberSpend.userId })
      .from(memberSpend)
      .where(and(eq(memberSpend.projectId, hold.projectId), eq(memberSpend.userId, hold.actorId)))
      .for("update");
    await rollPeriod(tx, hold.payerId);
    const [account] = await tx.select().from(billingAccounts).where(eq(billingAccounts.userId, hold.payerId)).for("update");
    if (!account) throw new AppError("not_found:billing_account", "The payer has no billing account.");

    const tokensIn = Math.max(0, Math.ceil(usage.tokensIn));
    const tokensOut = Math.max(0, Math.ceil(usage.tokensOut));
    const tier = hold.billingTier;
    const charge = chargeFor(tier, costBasisMicros({ inputMicrosPerMTok: hold.inputMicrosPerMTok, outputMicrosPerMTok: hold.outputMicrosPerMTok }, tokensIn, tokensOut), hold.keySource);
    // A project's own provider: its owner pays it directly, so the payer's month (allowance, ceiling, invoice) is not touched.
    const ownProvider = hold.keySource === "provider";
    if (charge.chargedMicros > hold.amountMicros) await recordOverHold(tx, hold, charge.chargedMicros, { tokensIn, tokensOut });
    // Free tier: the monthly allowance pays first, credits after it. Paid tiers: credits first, the rest goes on the invoice.
    const fromAllowance = tier === "free" ? min(charge.billableMicros, max(0n, account.freeAllowanceMicros - account.periodSpentMicros)) : 0n;
    const creditsApplied = min(account.creditsMicros, charge.billableMicros - fromAllowance);
    const netCharge = charge.billableMicros - creditsApplied;
    const upstream = ownProvider ? await providerModelNamed(tx, hold) : await anthropicModelNamed(tx, hold.model);

    const [event] = await tx
      .insert(usageEvents)
      .values({
        requestId: hold.requestId,
        payerId: hold.payerId,
        actorId: hold.actorId,
        projectId: hold.projectId,
        messageId,
        tier: "cloud",
        billingTier: tier,
        provider: upstream.provider,
        model: upstream.model,
        tokensIn,
        tokensOut,
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
        periodSpentMicros: sql`${billingAccounts.periodSpentMicros} + ${ownProvider ? 0n : charge.chargedMicros}`,
        reservedMicros: sql`greatest(0, ${billingAccounts.reservedMicros} - ${release})`,
        unbilledMicros: sql`${billingAccounts.unbilledMicros} + ${tier === "free" ? 0n : netCharge}`,
        updatedAt: sql`now()`,
      })
      .where(eq(billingAccounts.userId, hold.payerId))
      .returning();
    // The person's spend in the project, kept even if they left meanwhile (so a quota cannot be reset by leaving).
    await tx
      .insert(memberSpend)
      .values({ projectId: hold.projectId, userId: hold.actorId, spentMicros: charge.chargedMicros })
      .onConflictDoUpdate({
        target: [memberSpend.projectId, memberSpend.userId],
        set: {
          spentMicros: sql`${memberSpend.spentMicros} + ${charge.chargedMicros}`,
          reservedMicros: sql`greatest(0, ${memberSpend.reservedMicros} - ${release})`,
          updatedAt: sql`now()`,
        },
      });
    await tx
      .update(projectMembers)
      .set({ lastActiveAt: new Date() })
      .where(and(eq(projectMembers.projectId, hold.projectId), eq(projectMembers.userId, hold.actorId)));
    if (after) await sendBudgetAlerts(tx, after);
    return { usageEventId: event.id, chargedMicros: charge.chargedMicros };
  });
}

async function anthropicModelNamed(tx: Db, model: string): Promise<{ provider: string; model: string }> {
  const [price] = await tx.select({ provider: modelPrices.provider }).from(modelPrices).where(eq(modelPrices.model, model));
  return { provider: price?.provider ?? "anthropic", model };
}

/** The provider's name and its upstream model id (the hold names the model by its key); the key itself once the provider is gone. */
async function providerModelNamed(tx: Db, hold: Reservation): Promise<{ provider: string; model: string }> {
  const target = await findProviderTarget(tx, { projectId: hold.projectId, key: hold.model });
  return target ? { provider: target.providerName, model: target.model } : { provider: "custom", model: hold.model };
}

async function recordOverHold(tx: Db, hold: Reservation, chargedMicros: bigint, usage: Usage) {
  await recordIncident(tx, {
    kind: "charge_over_hold",
    requestId: hold.requestId,
    reservationId: hold.id,
    payerId: hold.payerId,
    heldMicros: hold.amountMicros,
    chargedMicros,
    detail: { model: hold.model, tier: hold.billingTier, bound: { tokensIn: hold.boundTokensIn, tokensOut: hold.boundTokensOut }, reported: usage },
  });
}

async function usageFor(db: Db, requestId: string): Promise<SettledCharge | null> {
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
