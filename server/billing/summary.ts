import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notifications, projectMembers, subscriptions, users } from "@/db/schema";
import { ensureBillingAccount, remainingBudget } from "./accounts";
import { stripeFailure } from "./checkout";
import { nextPeriodStart } from "./cost";
import { providerKeyHint } from "./provider-keys";
import { PLANS } from "./plans";
import { getStripe, stripeConfigured } from "./stripe";

export async function accountSummary(db: Db, userId: string) {
  const account = await ensureBillingAccount(db, userId);
  const [subscription] = await db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.userId, userId))
    .orderBy(desc(subscriptions.stripeUpdatedAt))
    .limit(1);
  const allowanceLeft = account.freeAllowanceMicros - account.periodSpentMicros;
  const plan = account.tier === "free" ? null : PLANS[account.tier];
  return {
    tier: account.tier,
    creditsMicros: account.creditsMicros,
    unbilledMicros: account.unbilledMicros,
    ceilingMicros: account.ceilingMicros,
    allowanceMicros: account.freeAllowanceMicros,
    allowanceLeftMicros: account.tier === "free" ? (allowanceLeft > 0n ? allowanceLeft : 0n) : null,
    periodSpentMicros: account.periodSpentMicros,
    reservedMicros: account.reservedMicros,
    remainingMicros: remainingBudget(account),
    periodStart: account.periodStart,
    periodEnd: nextPeriodStart(account.periodStart),
    pendingCouponPriceMicros: account.pendingCouponPriceMicros,
    /** the next invoice: the plan fee plus usage not yet invoiced, on the subscription's renewal date */
    nextInvoice: plan && subscription ? { date: subscription.currentPeriodEnd, estimateMicros: plan.monthlyMicros + account.unbilledMicros } : null,
    subscription: subscription
      ? { status: subscription.status, tier: subscription.tier, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd === 1, currentPeriodEnd: subscription.currentPeriodEnd }
      : null,
    keyHint: await providerKeyHint(db, userId),
    stripeConfigured: stripeConfigured(),
    hasStripeCustomer: account.stripeCustomerId !== null,
  };
}
export type AccountSummary = Awaited<ReturnType<typeof accountSummary>>;

export async function listInvoices(db: Db, userId: string) {
  const stripe = getStripe();
  if (!stripe) return { configured: false as const, invoices: [] };
  const account = await ensureBillingAccount(db, userId);
  if (!account.stripeCustomerId) return { configured: true as const, invoices: [] };
  try {
    const list = await stripe.invoices.list({ customer: account.stripeCustomerId, limit: 12 });
    return {
      configured: true as const,
      invoices: list.data.map((i) => ({
        id: i.id ?? "",
        number: i.number ?? null,
        status: i.status ?? "draft",
        created: new Date(i.created * 1000),
        amountDueMicros: BigInt(i.amount_due) * 10_000n,
        amountPaidMicros: BigInt(i.amount_paid) * 10_000n,
        url: i.hosted_invoice_url ?? null,
      })),
    };
  } catch (error) {
    throw stripeFailure(error, "list your invoices");
  }
}

export async function listNotifications(db: Db, userId: string) {
  return db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.createdAt)).limit(20);
}

export async function markNotificationsRead(db: Db, userId: string) {
  await db.update(notifications).set({ readAt: new Date() }).where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
}

/** Members' spend against their quotas (the project Billing tab). */
export async function memberSpend(db: Db, projectId: string) {
  return db
    .select({
      userId: projectMembers.userId,
      name: users.name,
      email: users.email,
      role: projectMembers.role,
      quotaMicros: projectMembers.quotaMicros,
      spentMicros: projectMembers.spentMicros,
      reservedMicros: projectMembers.reservedMicros,
    })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(desc(projectMembers.spentMicros), sql`${users.email}`);
}
