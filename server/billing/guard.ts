import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type BillingAccount, billingAccounts, projectMembers, projects, reservations, usageEvents, users } from "@/db/schema";
import { getModelPrice } from "@/server/ai/model-prices";
import { AppError } from "@/server/errors";
import { ensureBillingAccount, type Payer, payerOfProject } from "./accounts";
import { chargeFor, costBasisMicros, periodStartFor, promptTokenBound } from "./cost";
import { loadProviderKey } from "./keys";
import { formatMicros } from "./money";
import { settleReservation } from "./settle";

export type CloudReservation = {
  reservationId: string;
  requestId: string;
  payerId: string;
  billingTier: "free" | "managed" | "byok";
  /** decrypted BYOK key, or null = platform key */
  apiKey: string | null;
  amountMicros: bigint;
};

/** A crashed process leaves its hold behind; the expiry worker gives it back after this long. */
export const RESERVATION_TTL_MS = 30 * 60 * 1000;

/**
 * Holds the largest possible cost of a cloud call against the payer's budget
 * AND the acting member's quota, in one transaction. Each hold is a
 * conditional UPDATE (`… where remaining >= amount`): on Postgres the row lock
 * makes a concurrent UPDATE re-check the condition against the committed
 * value, so no interleaving can pass a budget; PGlite runs transactions one at
 * a time. Idempotent by requestId.
 */
export async function reserveCloudBudget(
  db: Db,
  args: { projectId: string; actorId: string; requestId: string; model: string; maxTokens: number; promptTokens: number },
): Promise<CloudReservation> {
  const price = await getModelPrice(db, args.model);
  const costBound = costBasisMicros(price, promptTokenBound(args.promptTokens), Math.max(0, Math.ceil(args.maxTokens)));

  for (let attempt = 0; ; attempt++) {
    const { payer, account } = await payerAndAccount(db, args.projectId);
    const amount = chargeFor(account.tier, costBound).chargedMicros;
    const apiKey = account.tier === "byok" ? await requireByokKey(db, payer, args.actorId) : null;
    // Lock order: the member row, then the payer's row last, so the hotly shared payer row is held only until commit.
    const outcome = await db.transaction(async (tx) => {
      const [hold] = await tx
        .insert(reservations)
        .values({
          requestId: args.requestId,
          payerId: payer.payerId,
          actorId: args.actorId,
          projectId: args.projectId,
          amountMicros: amount,
          expiresAt: new Date(Date.now() + RESERVATION_TTL_MS),
        })
        .onConflictDoNothing({ target: reservations.requestId })
        .returning({ id: reservations.id });
      if (!hold) return { kind: "duplicate" as const };

      const memberHeld = await tx
        .update(projectMembers)
        .set({ reservedMicros: sql`${projectMembers.reservedMicros} + ${amount}` })
        .where(
          and(
            eq(projectMembers.projectId, args.projectId),
            eq(projectMembers.userId, args.actorId),
            sql`(${projectMembers.quotaMicros} is null or ${projectMembers.quotaMicros} - ${projectMembers.spentMicros} - ${projectMembers.reservedMicros} >= ${amount})`,
          ),
        )
        .returning({ userId: projectMembers.userId });
      if (memberHeld.length === 0) {
        const [member] = await tx
          .select()
          .from(projectMembers)
          .where(and(eq(projectMembers.projectId, args.projectId), eq(projectMembers.userId, args.actorId)));
        if (!member) throw new AppError("forbidden:project", "You are not a member of this project.");
        const left = (member.quotaMicros ?? 0n) - member.spentMicros - member.reservedMicros;
        throw new AppError(
          "quota_exceeded:member",
          `This request could cost up to ${formatMicros(amount)}, but your spending quota in this project has ${formatMicros(left > 0n ? left : 0n)} left of ${formatMicros(member.quotaMicros ?? 0n)}. Ask the owner (${payer.ownerEmail}) to raise your quota on the Members tab.`,
        );
      }

      const payerHeld = await tx
        .update(billingAccounts)
        .set({ reservedMicros: sql`${billingAccounts.reservedMicros} + ${amount}`, updatedAt: sql`now()` })
        .where(and(eq(billingAccounts.userId, payer.payerId), eq(billingAccounts.tier, account.tier), budgetCovers(amount)))
        .returning({ userId: billingAccounts.userId });
      if (payerHeld.length === 0) {
        const [now] = await tx.select().from(billingAccounts).where(eq(billingAccounts.userId, payer.payerId));
        if (now && now.tier !== account.tier) throw new TierChanged();
        throw budgetError(now ?? account, amount, payer, args.actorId);
      }
      return { kind: "held" as const, reservationId: hold.id };
    }).catch((error: unknown) => {
      if (error instanceof TierChanged && attempt < 2) return { kind: "retry" as const };
      throw error;
    });

    if (outcome.kind === "retry") continue;
    if (outcome.kind === "duplicate") {
      const again = await findReservation(db, args.requestId);
      if (again) return again;
      throw new AppError("conflict:reservation", "This request is already being processed. Please try again.");
    }
    return { reservationId: outcome.reservationId, requestId: args.requestId, payerId: payer.payerId, billingTier: account.tier, apiKey, amountMicros: amount };
  }
}

class TierChanged extends Error {}

/** The payer (project owner) and their billing account in one round trip; the account is created or rolled only when needed. */
async function payerAndAccount(db: Db, projectId: string): Promise<{ payer: Payer; account: BillingAccount }> {
  const [row] = await db
    .select({ payerId: projects.ownerId, ownerEmail: users.email, ownerName: users.name, account: billingAccounts })
    .from(projects)
    .innerJoin(users, eq(users.id, projects.ownerId))
    .leftJoin(billingAccounts, eq(billingAccounts.userId, projects.ownerId))
    .where(eq(projects.id, projectId))
    .limit(1);
  if (!row) throw new AppError("not_found:project", "This project does not exist.");
  const payer: Payer = { payerId: row.payerId, ownerEmail: row.ownerEmail, ownerName: row.ownerName };
  const fresh = row.account && row.account.periodStart >= periodStartFor(new Date());
  return { payer, account: fresh && row.account ? row.account : await ensureBillingAccount(db, row.payerId) };
}

/** The SQL twin of remainingBudget(): free = allowance left + credits; any tier with a ceiling = ceiling left. */
function budgetCovers(amount: bigint) {
  const a = billingAccounts;
  return sql`(
    (${a.tier} <> 'free' or greatest(0, ${a.freeAllowanceMicros} - ${a.periodSpentMicros}) + ${a.creditsMicros} - ${a.reservedMicros} >= ${amount})
    and (${a.ceilingMicros} is null or ${a.ceilingMicros} - ${a.periodSpentMicros} - ${a.reservedMicros} >= ${amount})
  )`;
}

function budgetError(account: BillingAccount, amount: bigint, payer: Payer, actorId: string): AppError {
  const isOwner = actorId === payer.payerId;
  const cost = formatMicros(amount);
  const overCeiling =
    account.ceilingMicros !== null && account.ceilingMicros - account.periodSpentMicros - account.reservedMicros < amount;
  if (!isOwner) {
    return new AppError(
      "payment_required:budget",
      `This request could cost up to ${cost}, more than the project owner's ${overCeiling ? "spending ceiling" : "budget"} has left this month. Ask the owner (${payer.ownerEmail}) to ${overCeiling ? "raise their ceiling" : "top up or upgrade"} on their Billing page.`,
    );
  }
  if (overCeiling) {
    return new AppError(
      "payment_required:budget",
      `This request could cost up to ${cost}, which would pass your spending ceiling of ${formatMicros(account.ceilingMicros ?? 0n)} this month (${formatMicros(account.periodSpentMicros)} spent). Raise the ceiling on the Billing page, or use a smaller model or shorter answer.`,
    );
  }
  return new AppError(
    "payment_required:budget",
    `This request could cost up to ${cost}, more than is left of your free monthly allowance of ${formatMicros(account.freeAllowanceMicros)} and your credits (${formatMicros(account.creditsMicros)}). Upgrade to Managed or buy credits on the Billing page.`,
  );
}

async function requireByokKey(db: Db, payer: Payer, actorId: string): Promise<string> {
  const apiKey = await loadProviderKey(db, payer.payerId);
  if (apiKey) return apiKey;
  throw new AppError(
    "payment_required:byok_key",
    actorId === payer.payerId
      ? "Your plan is Bring your own key, but no Anthropic key is saved. Add your key on the Billing page."
      : `The project owner's plan is Bring your own key, but they have not saved an Anthropic key. Ask the owner (${payer.ownerEmail}) to add one.`,
  );
}

async function findReservation(db: Db, requestId: string): Promise<CloudReservation | null> {
  const [row] = await db
    .select({ reservation: reservations, tier: billingAccounts.tier })
    .from(reservations)
    .innerJoin(billingAccounts, eq(billingAccounts.userId, reservations.payerId))
    .where(eq(reservations.requestId, requestId))
    .limit(1);
  if (!row) return null;
  return {
    reservationId: row.reservation.id,
    requestId,
    payerId: row.reservation.payerId,
    billingTier: row.tier,
    apiKey: row.tier === "byok" ? await loadProviderKey(db, row.reservation.payerId) : null,
    amountMicros: row.reservation.amountMicros,
  };
}

/**
 * Settles to real usage: exactly one usage event per request (idempotent),
 * member and payer spend moved, the rest of the hold released, alerts sent.
 */
export async function settleCloudCall(
  db: Db,
  args: { reservationId: string; messageId: string | null; model: string; tokensIn: number; tokensOut: number },
): Promise<{ usageEventId: string; chargedMicros: bigint }> {
  return settleReservation(db, args);
}

/** Gives a hold back without charging (the call never reached the provider). Idempotent. */
export async function releaseReservation(db: Db, reservationId: string): Promise<void> {
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
 * held totals — in the same lock order as reserve and settle (member row,
 * then payer row), so concurrent transactions never deadlock on Postgres.
 */
export async function returnHold(db: Db, hold: { payerId: string; actorId: string; projectId: string; amountMicros: bigint }) {
  await db
    .update(projectMembers)
    .set({ reservedMicros: sql`greatest(0, ${projectMembers.reservedMicros} - ${hold.amountMicros})` })
    .where(and(eq(projectMembers.projectId, hold.projectId), eq(projectMembers.userId, hold.actorId)));
  await db
    .update(billingAccounts)
    .set({ reservedMicros: sql`greatest(0, ${billingAccounts.reservedMicros} - ${hold.amountMicros})`, updatedAt: sql`now()` })
    .where(eq(billingAccounts.userId, hold.payerId));
}

/** Local-tier calls cost nothing but are still recorded, so usage charts show them. */
export async function recordLocalUsage(
  db: Db,
  args: { requestId: string; projectId: string; actorId: string; messageId: string | null; model: string; tokensIn: number; tokensOut: number },
): Promise<void> {
  const payer = await payerOfProject(db, args.projectId);
  await db
    .insert(usageEvents)
    .values({
      requestId: args.requestId,
      payerId: payer.payerId,
      actorId: args.actorId,
      projectId: args.projectId,
      messageId: args.messageId,
      tier: "local",
      billingTier: null,
      provider: "local",
      model: args.model,
      tokensIn: args.tokensIn,
      tokensOut: args.tokensOut,
      costBasisMicros: 0n,
      netChargeMicros: 0n,
    })
    .onConflictDoNothing({ target: usageEvents.requestId });
}
