import "server-only";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type BillingTier, billingAccounts, checkoutSessions, notifications, subscriptions, users } from "@/db/schema";
import { getEnv } from "@/server/env";
import { enqueueMail } from "@/server/mail/outbox";
import { ensureBillingAccount } from "./accounts";
import { formatUsd } from "@/lib/money";
import { centsToMicros } from "./plans";
import { getStripe } from "./stripe";
import {
  type CheckoutSessionObject,
  checkoutSessionSchema,
  type InvoiceObject,
  invoiceSchema,
  periodEndOf,
  type SubscriptionObject,
  type StripeEventEnvelope,
  subscriptionSchema,
} from "./stripe-objects";

/** Statuses in which a subscription still grants its tier (Stripe retries a past_due payment). */
const LIVE_STATUSES = ["active", "trialing", "past_due"];

export type Outcome = "processed" | "ignored";

/**
 * What applying an event needs from the Stripe API, read before the event's
 * transaction opens. A Stripe call never runs inside a transaction: on PGlite
 * a transaction is exclusive, so every request in the app would wait on
 * Stripe (and on Postgres a slow Stripe would hold row locks and a pooled
 * connection).
 */
export type StripeReads = { subscription?: SubscriptionObject };

/** The subscription an event is about, re-read from Stripe so a late event cannot regress it. Nothing without a key. */
export async function readStripeState(event: StripeEventEnvelope): Promise<StripeReads> {
  const stripe = getStripe();
  if (!stripe) return {};
  const object = event.data.object;
  let subscriptionId: string | null | undefined;
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      subscriptionId = checkoutSessionSchema.parse(object).subscription;
      break;
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      subscriptionId = subscriptionSchema.parse(object).id;
      break;
  }
  if (!subscriptionId) return {};
  return { subscription: subscriptionSchema.parse(await stripe.subscriptions.retrieve(subscriptionId)) };
}

/** Applies one verified, stored event with what readStripeState read. Runs inside the transaction that holds the event row; calls nothing outside the database. */
export async function applyStripeEvent(db: Db, event: StripeEventEnvelope, reads: StripeReads): Promise<Outcome> {
  const object = event.data.object;
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      return checkoutCompleted(db, checkoutSessionSchema.parse(object), event.created, reads);
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      return subscriptionChanged(db, subscriptionSchema.parse(object), event.created, reads);
    case "invoice.paid":
      return invoicePaid(db, invoiceSchema.parse(object));
    case "invoice.payment_failed":
      return invoiceFailed(db, invoiceSchema.parse(object));
    default:
      return "ignored";
  }
}

async function checkoutCompleted(db: Db, session: CheckoutSessionObject, created: number, reads: StripeReads): Promise<Outcome> {
  // What was bought comes from our own record of the session, never from the payload's metadata alone.
  const [ours] = await db.select().from(checkoutSessions).where(eq(checkoutSessions.id, session.id)).limit(1);
  if (!ours) return "ignored";
  if (session.mode === "payment" && session.payment_status !== "paid" && session.payment_status !== "no_payment_required") return "ignored";
  await ensureBillingAccount(db, ours.userId);
  if (session.customer) {
    await db
      .update(billingAccounts)
      .set({ stripeCustomerId: session.customer, updatedAt: sql`now()` })
      .where(and(eq(billingAccounts.userId, ours.userId), isNull(billingAccounts.stripeCustomerId)));
  }
  const [claimed] = await db
    .update(checkoutSessions)
    .set({ status: "complete", fulfilledAt: new Date() })
    .where(and(eq(checkoutSessions.id, ours.id), isNull(checkoutSessions.fulfilledAt)))
    .returning();
  if (!claimed) return "processed";

  if (claimed.kind === "credits") {
    const amount = claimed.amountMicros ?? 0n;
    await db
      .update(billingAccounts)
      .set({ creditsMicros: sql`${billingAccounts.creditsMicros} + ${amount}`, updatedAt: sql`now()` })
      .where(eq(billingAccounts.userId, claimed.userId));
    await db.insert(notifications).values({
      userId: claimed.userId,
      kind: "credits_added",
      title: `${formatUsd(amount)} of credits added`,
      body: "Credits pay for cloud answers before anything else.",
    });
    return "processed";
  }

  const tier: BillingTier = claimed.kind === "subscribe_byok" ? "byok" : "managed";
  if (claimed.detail.couponPriceMicros !== undefined) {
    await db.update(billingAccounts).set({ pendingCouponPriceMicros: null }).where(eq(billingAccounts.userId, claimed.userId));
  }
  if (session.subscription) {
    const latest = reads.subscription;
    if (latest) {
      await upsertSubscription(db, claimed.userId, tierOf(latest, tier), latest, created);
    } else {
      // Without Stripe the subscription events carry the state; this row only fills a gap and never overwrites one.
      await db
        .insert(subscriptions)
        // stamped 0: any subscription event, whenever it arrives, replaces this placeholder
        .values({ id: session.subscription, userId: claimed.userId, tier, status: "active", stripeUpdatedAt: 0 })
        .onConflictDoNothing({ target: subscriptions.id });
    }
    await recomputeTier(db, claimed.userId);
  }
  await db.insert(notifications).values({
    userId: claimed.userId,
    kind: "subscribed",
    title: tier === "byok" ? "Bring your own key is active" : "Managed is active",
    body: tier === "byok" ? "Add your Anthropic key on the Billing page to use it." : "Cloud answers are billed at cost + 3 %.",
  });
  return "processed";
}

async function subscriptionChanged(db: Db, payload: SubscriptionObject, created: number, reads: StripeReads): Promise<Outcome> {
  // Events may arrive in any order; with a key, the object's current state was re-read (readStripeState) so a late event cannot regress it.
  const sub = reads.subscription ?? payload;
  const userId = await userForSubscription(db, sub);
  if (!userId) throw new Error(`no account for subscription ${sub.id} (customer ${sub.customer}) yet`);
  await db
    .update(billingAccounts)
    .set({ stripeCustomerId: sub.customer, updatedAt: sql`now()` })
    .where(and(eq(billingAccounts.userId, userId), isNull(billingAccounts.stripeCustomerId)));
  await upsertSubscription(db, userId, tierOf(sub, "managed"), sub, created);
  await recomputeTier(db, userId);
  return "processed";
}

function tierOf(sub: SubscriptionObject, fallback: "managed" | "byok"): "managed" | "byok" {
  return sub.metadata.tier === "byok" ? "byok" : sub.metadata.tier === "managed" ? "managed" : fallback;
}

async function userForSubscription(db: Db, sub: SubscriptionObject): Promise<string | null> {
  const fromMetadata = sub.metadata.userId;
  if (fromMetadata) {
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, fromMetadata)).limit(1);
    if (user) return user.id;
  }
  const [account] = await db
    .select({ userId: billingAccounts.userId })
    .from(billingAccounts)
    .where(eq(billingAccounts.stripeCustomerId, sub.customer))
    .limit(1);
  return account?.userId ?? null;
}

/**
 * Newest state wins: a row is only overwritten by an event at least as new
 * (`stripe_updated_at`), and at the same second a cancellation beats
 * anything else because it is terminal.
 */
async function upsertSubscription(db: Db, userId: string, tier: "managed" | "byok", sub: SubscriptionObject, created: number) {
  const values = {
    id: sub.id,
    userId,
    tier,
    status: sub.status,
    currentPeriodEnd: periodEndOf(sub),
    cancelAtPeriodEnd: sub.cancel_at_period_end ? 1 : 0,
    stripeUpdatedAt: created,
  };
  await db
    .insert(subscriptions)
    .values(values)
    .onConflictDoUpdate({
      target: subscriptions.id,
      set: {
        tier: sql`excluded.tier`,
        status: sql`excluded.status`,
        currentPeriodEnd: sql`excluded.current_period_end`,
        cancelAtPeriodEnd: sql`excluded.cancel_at_period_end`,
        stripeUpdatedAt: sql`excluded.stripe_updated_at`,
        updatedAt: sql`now()`,
      },
      setWhere: sql`${subscriptions.stripeUpdatedAt} < excluded.stripe_updated_at
        or (${subscriptions.stripeUpdatedAt} = excluded.stripe_updated_at and excluded.status = 'canceled')`,
    });
}

/** The tier is derived from the live subscriptions, so it ends the same whatever order events came in. */
export async function recomputeTier(db: Db, userId: string): Promise<BillingTier> {
  const [live] = await db
    .select({ tier: subscriptions.tier })
    .from(subscriptions)
    .where(and(eq(subscriptions.userId, userId), inArray(subscriptions.status, LIVE_STATUSES)))
    .orderBy(desc(subscriptions.stripeUpdatedAt), desc(subscriptions.id))
    .limit(1);
  const tier: BillingTier = live?.tier ?? "free";
  await ensureBillingAccount(db, userId);
  await db.update(billingAccounts).set({ tier, updatedAt: sql`now()` }).where(eq(billingAccounts.userId, userId));
  return tier;
}

async function accountForCustomer(db: Db, customer: string | null | undefined) {
  if (!customer) return null;
  const [row] = await db
    .select({ userId: billingAccounts.userId, email: users.email })
    .from(billingAccounts)
    .innerJoin(users, eq(users.id, billingAccounts.userId))
    .where(eq(billingAccounts.stripeCustomerId, customer))
    .limit(1);
  return row ?? null;
}

/** A paid invoice settles the usage it billed: only lines that are not the plan's own fee reduce "unbilled". */
async function invoicePaid(db: Db, invoice: InvoiceObject): Promise<Outcome> {
  const account = await accountForCustomer(db, invoice.customer);
  if (!account) throw new Error(`no account for customer ${invoice.customer ?? "(none)"} yet`);
  const usageCents = (invoice.lines?.data ?? []).filter((line) => line.metadata.kind !== "plan").reduce((sum, line) => sum + line.amount, 0);
  const usage = centsToMicros(usageCents);
  await db
    .update(billingAccounts)
    .set({ unbilledMicros: sql`greatest(0, ${billingAccounts.unbilledMicros} - ${usage})`, updatedAt: sql`now()` })
    .where(eq(billingAccounts.userId, account.userId));
  await db.insert(notifications).values({
    userId: account.userId,
    kind: "invoice_paid",
    title: `Invoice paid: ${formatUsd(centsToMicros(invoice.amount_paid ?? 0))}`,
    body: "Thank you — the invoice is settled.",
  });
  return "processed";
}

async function invoiceFailed(db: Db, invoice: InvoiceObject): Promise<Outcome> {
  const account = await accountForCustomer(db, invoice.customer);
  if (!account) throw new Error(`no account for customer ${invoice.customer ?? "(none)"} yet`);
  const amount = formatUsd(centsToMicros(invoice.amount_due ?? 0));
  const body = `We could not charge ${amount}. Update your card in Manage billing; Stripe will retry the payment.`;
  await db.insert(notifications).values({ userId: account.userId, kind: "payment_failed", title: "Payment failed", body });
  await enqueueMail(db, {
    to: account.email,
    subject: "Arbor: your payment failed",
    text: `${body}\n\n${new URL("/billing", getEnv().APP_URL).toString()}\n`,
  });
  return "processed";
}
