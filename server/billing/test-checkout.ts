import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { checkoutSessions } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";
import { ensureBillingAccount } from "./accounts";
import type { LineItem } from "./checkout";
import { checkoutMode } from "./checkout-mode";
import { PLANS, microsToCents } from "./plans";
import { webhookSecret, webhookVerifier } from "./stripe";

export type TestCheckout = { id: string; kind: string; status: string; lineItems: LineItem[]; totalMicros: bigint };

export async function getTestCheckout(db: Db, userId: string, sessionId: string): Promise<TestCheckout> {
  const [row] = await db
    .select()
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.id, sessionId), eq(checkoutSessions.userId, userId)))
    .limit(1);
  if (!row) throw new AppError("not_found:checkout", "This checkout does not exist or is not yours.");
  const raw = Array.isArray(row.detail.lineItems) ? (row.detail.lineItems as Array<Record<string, unknown>>) : [];
  const lineItems: LineItem[] = raw.map((i) => ({
    label: String(i.label ?? ""),
    detail: String(i.detail ?? ""),
    amountMicros: BigInt(String(i.amountMicros ?? "0")),
    interval: i.interval === "month" ? "month" : null,
  }));
  return { id: row.id, kind: row.kind, status: row.status, lineItems, totalMicros: lineItems.reduce((s, i) => s + i.amountMicros, 0n) };
}

type Envelope = { id: string; object: "event"; api_version: string; created: number; livemode: false; pending_webhooks: 1; request: { id: null; idempotency_key: null }; type: string; data: { object: Record<string, unknown> } };

function envelope(type: string, object: Record<string, unknown>, created: number): Envelope {
  return { id: `evt_test_${randomBytes(12).toString("hex")}`, object: "event", api_version: "2026-10-28.endive", created, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
}

/**
 * The events Stripe would send for this checkout, in Stripe's JSON shapes:
 * checkout.session.completed, and for a plan also customer.subscription.created
 * and the first invoice.paid.
 */
export function eventsForTestCheckout(checkout: TestCheckout, args: { userId: string; customerId: string; now?: number }): Envelope[] {
  const now = args.now ?? Math.floor(Date.now() / 1000);
  const tier = checkout.kind === "subscribe_byok" ? "byok" : checkout.kind === "subscribe_managed" ? "managed" : null;
  const totalCents = microsToCents(checkout.totalMicros);
  const subscriptionId = tier ? `sub_test_${randomBytes(10).toString("hex")}` : null;
  const session = {
    id: checkout.id,
    object: "checkout.session",
    mode: tier ? "subscription" : "payment",
    customer: args.customerId,
    client_reference_id: args.userId,
    subscription: subscriptionId,
    payment_status: "paid",
    status: "complete",
    amount_total: totalCents,
    currency: "usd",
    metadata: { userId: args.userId, kind: checkout.kind },
  };
  const events = [envelope("checkout.session.completed", session, now)];
  if (tier && subscriptionId) {
    const periodEnd = now + 30 * 24 * 3600;
    events.push(
      envelope(
        "customer.subscription.created",
        {
          id: subscriptionId,
          object: "subscription",
          customer: args.customerId,
          status: "active",
          cancel_at_period_end: false,
          items: { object: "list", data: [{ id: `si_test_${randomBytes(8).toString("hex")}`, object: "subscription_item", current_period_end: periodEnd }] },
          metadata: { userId: args.userId, tier, kind: "plan" },
        },
        now,
      ),
      envelope(
        "invoice.paid",
        {
          id: `in_test_${randomBytes(10).toString("hex")}`,
          object: "invoice",
          customer: args.customerId,
          subscription: subscriptionId,
          amount_paid: totalCents,
          amount_due: totalCents,
          status: "paid",
          lines: { object: "list", data: [{ object: "line_item", amount: totalCents, description: PLANS[tier].name, metadata: { kind: "plan" } }] },
        },
        now,
      ),
    );
  }
  return events;
}

/**
 * "Pay" on the test checkout page: sign the events with the webhook secret
 * exactly as Stripe would and POST them to our own /api/stripe/webhook, so
 * fulfilment runs through the very same path as a real payment. The webhook's
 * address is APP_URL's, never the request's Host header: a caller must not be
 * able to aim this server's signed events at a host of their choosing.
 */
export async function payTestCheckout(db: Db, args: { userId: string; sessionId: string }): Promise<void> {
  const mode = checkoutMode();
  if (mode !== "test") {
    throw new AppError("forbidden:test_checkout", mode === "stripe" ? "Test checkout is off because Stripe is configured." : "Test checkout is off on this server.");
  }
  const webhookUrl = `${getEnv().APP_URL}/api/stripe/webhook`;
  const checkout = await getTestCheckout(db, args.userId, args.sessionId);
  if (checkout.status !== "open") throw new AppError("conflict:checkout", "This checkout was already paid.");
  const account = await ensureBillingAccount(db, args.userId);
  const customerId = account.stripeCustomerId ?? `cus_test_${randomBytes(10).toString("hex")}`;
  const secret = webhookSecret();
  if (!secret) throw new AppError("unavailable:webhook_secret", "No webhook secret is available to sign the test events.");
  for (const event of eventsForTestCheckout(checkout, { userId: args.userId, customerId })) {
    const payload = JSON.stringify(event);
    const signature = webhookVerifier().webhooks.generateTestHeaderString({ payload, secret });
    const response = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signature },
      body: payload,
    });
    if (!response.ok) {
      throw new AppError("unavailable:webhook", `The webhook answered ${response.status} for ${event.type}. Nothing further was sent.`);
    }
  }
}
