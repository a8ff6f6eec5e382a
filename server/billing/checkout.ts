import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import Stripe from "stripe";
import type { Db } from "@/db/client";
import { billingAccounts, checkoutSessions } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";
import { ensureBillingAccount } from "./accounts";
import { checkoutMode, PAYMENTS_UNAVAILABLE } from "./checkout-mode";
import { formatUsd } from "@/lib/money";
import { CREDIT_LIMITS, couponMonthlyOffMicros, microsToCents, type PaidTier, PLANS } from "./plans";
import { getStripe } from "./stripe";

export type CheckoutKind = "subscribe_managed" | "subscribe_byok" | "credits";
export type LineItem = { label: string; detail: string; amountMicros: bigint; interval: "month" | null };

export function tierOfKind(kind: CheckoutKind): PaidTier | null {
  return kind === "subscribe_managed" ? "managed" : kind === "subscribe_byok" ? "byok" : null;
}

/** What the person is about to buy; the same list drives Stripe's line items and the test checkout page. */
export function lineItemsFor(kind: CheckoutKind, creditsMicros: bigint | null, couponPriceMicros: bigint | null): LineItem[] {
  const tier = tierOfKind(kind);
  if (!tier) {
    return [{ label: "Arbor credits", detail: "Prepaid; used before anything else is charged", amountMicros: creditsMicros ?? 0n, interval: null }];
  }
  const plan = PLANS[tier];
  const items: LineItem[] = [{ label: plan.name, detail: plan.usage, amountMicros: plan.monthlyMicros, interval: "month" }];
  const off = couponPriceMicros === null ? 0n : couponMonthlyOffMicros(tier, couponPriceMicros);
  if (off > 0n) {
    items.push({ label: "Handover first-year price", detail: `${formatUsd(couponPriceMicros ?? 0n)} for the first year (12 months)`, amountMicros: -off, interval: "month" });
  }
  return items;
}

export function validateCredits(amountMicros: bigint): void {
  if (amountMicros < CREDIT_LIMITS.minMicros || amountMicros > CREDIT_LIMITS.maxMicros || amountMicros % 10_000n !== 0n) {
    throw new AppError(
      "bad_request:credits",
      `Credits can be bought from ${formatUsd(CREDIT_LIMITS.minMicros)} to ${formatUsd(CREDIT_LIMITS.maxMicros)}, in whole cents.`,
    );
  }
}

/**
 * Starts a Checkout for the signed-in person's own account. With Stripe: a
 * customer (created once), an optional coupon, then the session; our record
 * of the session is written only after Stripe created it, so an outage leaves
 * nothing behind. Without Stripe: a test session served by our own page, where
 * the checkout mode allows one (never in production unless the operator asked).
 * Return URLs come from APP_URL, never from the request.
 */
export async function startCheckout(
  db: Db,
  args: { userId: string; email: string; kind: CheckoutKind; creditsMicros?: bigint },
): Promise<{ sessionId: string; url: string }> {
  const mode = checkoutMode();
  if (mode === "unavailable") throw new AppError("unavailable:payments", PAYMENTS_UNAVAILABLE);
  const origin = getEnv().APP_URL;
  const account = await ensureBillingAccount(db, args.userId);
  const tier = tierOfKind(args.kind);
  if (tier && account.tier === tier) {
    throw new AppError("conflict:plan", `You are already on ${PLANS[tier].name}. Use Manage billing to change or cancel it.`);
  }
  const stripe = getStripe();
  if (tier && stripe && account.tier !== "free") {
    // A second Checkout would start a second subscription; Stripe's portal switches the existing one.
    throw new AppError("conflict:plan", "You already have a paid plan. Use Manage billing to switch or cancel it.");
  }
  const credits = args.kind === "credits" ? (args.creditsMicros ?? 0n) : null;
  if (credits !== null) validateCredits(credits);
  const coupon = tier ? account.pendingCouponPriceMicros : null;
  const items = lineItemsFor(args.kind, credits, coupon);
  const detail = {
    lineItems: items.map((i) => ({ ...i, amountMicros: i.amountMicros.toString() })),
    ...(coupon !== null && items.length > 1 ? { couponPriceMicros: coupon.toString() } : {}),
  };

  if (!stripe) {
    const sessionId = `cs_test_arbor_${randomBytes(12).toString("hex")}`;
    await db.insert(checkoutSessions).values({ id: sessionId, userId: args.userId, kind: args.kind, amountMicros: credits, detail });
    return { sessionId, url: `/billing/test-checkout/${sessionId}` };
  }

  if (tier) planLineItems(tier); // refuse before anything is created in Stripe
  try {
    const customer = await ensureCustomer(db, stripe, account.stripeCustomerId, args.userId, args.email);
    const discounts = [];
    const off = items.find((i) => i.amountMicros < 0n);
    if (tier && off) {
      const created = await stripe.coupons.create(
        { amount_off: microsToCents(-off.amountMicros), currency: "usd", duration: "repeating", duration_in_months: 12, name: "Handover first-year price" },
        { idempotencyKey: `coupon-${args.userId}-${coupon?.toString()}` },
      );
      discounts.push({ coupon: created.id });
    }
    const session = await stripe.checkout.sessions.create({
      mode: tier ? "subscription" : "payment",
      customer,
      client_reference_id: args.userId,
      success_url: `${origin}/billing?checkout=success`,
      cancel_url: `${origin}/billing?checkout=cancelled`,
      metadata: { userId: args.userId, kind: args.kind },
      line_items: tier ? planLineItems(tier) : items.map((i) => ({ quantity: 1, price_data: { currency: "usd", unit_amount: microsToCents(i.amountMicros), product_data: { name: i.label, description: i.detail } } })),
      ...(tier ? { subscription_data: { metadata: { userId: args.userId, tier, kind: "plan" } } } : {}),
      ...(discounts.length ? { discounts } : {}),
    });
    if (!session.url) throw new AppError("unavailable:stripe", "Stripe did not return a checkout page. Please try again.");
    await db.insert(checkoutSessions).values({ id: session.id, userId: args.userId, kind: args.kind, amountMicros: credits, detail });
    return { sessionId: session.id, url: session.url };
  } catch (error) {
    throw stripeFailure(error, "start checkout");
  }
}

/**
 * A plan's subscription: its flat monthly price and the metered usage price
 * (tied to the Billing Meter the usage reports go to), both made by
 * `npm run stripe:setup`. A metered price takes no quantity: the meter's
 * events are the quantity.
 */
function planLineItems(tier: PaidTier): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const env = getEnv();
  const flat = tier === "managed" ? env.STRIPE_PRICE_MANAGED : env.STRIPE_PRICE_BYOK;
  const usage = env.STRIPE_PRICE_USAGE;
  if (!flat || !usage) {
    throw new AppError(
      "unavailable:stripe_prices",
      "Paid plans are not set up in Stripe yet, so they cannot be bought right now. (Operator: run npm run stripe:setup and set the STRIPE_PRICE_* variables it prints.)",
    );
  }
  return [{ price: flat, quantity: 1 }, { price: usage }];
}

async function ensureCustomer(db: Db, stripe: Stripe, existing: string | null, userId: string, email: string): Promise<string> {
  if (existing) return existing;
  // The idempotency key makes two racing first checkouts share one Stripe customer.
  const customer = await stripe.customers.create({ email, metadata: { userId } }, { idempotencyKey: `customer-${userId}` });
  await db
    .update(billingAccounts)
    .set({ stripeCustomerId: customer.id })
    .where(and(eq(billingAccounts.userId, userId), isNull(billingAccounts.stripeCustomerId)));
  return customer.id;
}

export async function openCustomerPortal(db: Db, args: { userId: string }): Promise<{ url: string }> {
  const stripe = getStripe();
  if (!stripe) {
    throw new AppError("bad_request:stripe_not_configured", "Manage billing opens Stripe's Customer Portal, which needs STRIPE_SECRET_KEY. This server has no Stripe account configured.");
  }
  const account = await ensureBillingAccount(db, args.userId);
  if (!account.stripeCustomerId) throw new AppError("bad_request:no_customer", "There is no billing history yet. Upgrade or buy credits first.");
  try {
    const portal = await stripe.billingPortal.sessions.create({ customer: account.stripeCustomerId, return_url: `${getEnv().APP_URL}/billing` });
    return { url: portal.url };
  } catch (error) {
    throw stripeFailure(error, "open the billing portal");
  }
}

export function stripeFailure(error: unknown, what: string): Error {
  if (error instanceof AppError) return error;
  if (error instanceof Stripe.errors.StripeError) {
    console.error(`[arbor] Stripe failed to ${what}`, error.type, error.message);
    if (error instanceof Stripe.errors.StripeInvalidRequestError) {
      return new AppError("bad_request:stripe", `Stripe refused to ${what}: ${error.message}`);
    }
    return new AppError("unavailable:stripe", `Stripe is not answering right now, so Arbor could not ${what}. Nothing was charged or changed — please try again in a few minutes.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
