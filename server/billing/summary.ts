import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { notifications, subscriptions } from "@/db/schema";
import type { Role } from "@/lib/roles";
import { ensureBillingAccount, remainingBudget } from "./accounts";
import { stripeFailure } from "./checkout";
import { nextPeriodStart } from "./cost";
import { providerKeyHint } from "./provider-keys";
import { PLANS } from "./plans";
import { checkoutMode, PAYMENTS_UNAVAILABLE } from "./checkout-mode";
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
    /** "unavailable": no paid plan or credits can be bought here (a production build without Stripe) */
    checkoutMode: checkoutMode(),
    paymentsUnavailable: PAYMENTS_UNAVAILABLE,
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

/**
 * Each person's spend in the project against their quota (the project Billing
 * tab), across memberships: people who left or were removed keep their line,
 * with role null, so what was spent is never hidden by leaving.
 */
export async function memberSpendOfProject(db: Db, projectId: string) {
  const rows = await queryRows<{ user_id: string; name: string | null; email: string; role: Role | null; quota_micros: string | null; spent_micros: string; reserved_micros: string }>(
    db,
    sql`select u.id as user_id, u.name, u.email, m.role, m.quota_micros::text, coalesce(s.spent_micros, 0)::text as spent_micros, coalesce(s.reserved_micros, 0)::text as reserved_micros
        from (select user_id from project_members where project_id = ${projectId} union select user_id from member_spend where project_id = ${projectId}) p
        join users u on u.id = p.user_id
        left join project_members m on m.project_id = ${projectId} and m.user_id = p.user_id
        left join member_spend s on s.project_id = ${projectId} and s.user_id = p.user_id
        where m.user_id is not null or coalesce(s.spent_micros, 0) + coalesce(s.reserved_micros, 0) > 0
        order by coalesce(s.spent_micros, 0) desc, u.email`,
  );
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    email: r.email,
    role: r.role,
    quotaMicros: r.quota_micros === null ? null : BigInt(r.quota_micros),
    spentMicros: BigInt(r.spent_micros),
    reservedMicros: BigInt(r.reserved_micros),
  }));
}
