import { and, eq, gte } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, usageEvents } from "@/db/schema";
import type { FakeStripe } from "@/testing/fakes/stripe-api";
import { type StripeEnvironment, startStripeEnvironment } from "@/testing/stripe-environment";
import { makeProject } from "@/testing/fixtures";
import { ensureBillingAccount } from "./accounts";
import { startCheckout } from "./checkout";
import { MAX_METER_ATTEMPTS, METER_EVENT_NAME, meterBacklog, meterRetryDelayMs, reportUsageToStripe } from "./meter";
import { reserveCloudBudget } from "./reserve";
import { settleReservation } from "./settle";
import { listInvoices } from "./summary";
import { LOOKUP_KEYS, setupStripe, type StripeSetup } from "./stripe-setup";
import { receiveStripeWebhook } from "./webhook";

/**
 * Leak 4: usage never reached an invoice. Now `stripe:setup` makes the meter
 * and the metered price, plan Checkouts subscribe to it, meter events are
 * retried and never dropped, and the stand-in — which, like Stripe, refuses
 * events for a meter that does not exist — computes the upcoming invoice from
 * the subscription's items and the meter's events.
 */
const WEBHOOK_SECRET = "whsec_test_usage_invoice";
const signer = new Stripe("sk_test_signer_only");
let database: Database;
let fake: FakeStripe;
let stripe: Stripe;
let setup: StripeSetup;

let environment: StripeEnvironment;

beforeAll(async () => {
  environment = await startStripeEnvironment({ secretKey: "sk_test_fake", webhookSecret: WEBHOOK_SECRET, appUrl: "http://app.test", exportPrices: true });
  ({ database, fake, stripe, setup } = environment);
});
afterAll(() => environment.close());

describe("npm run stripe:setup", () => {
  it("finds what it made the first time: a second run creates nothing and answers the same ids", async () => {
    expect(setup.created).toEqual(["product arbor", `price ${LOOKUP_KEYS.managed}`, `price ${LOOKUP_KEYS.byok}`, `meter ${METER_EVENT_NAME}`, `price ${LOOKUP_KEYS.usage}`]);
    const again = await setupStripe(stripe);
    expect(again).toEqual({ ...setup, created: [] });
    expect(fake.prices.size).toBe(3);
    expect(fake.meters.size).toBe(1);
    // the usage price is metered on the meter Arbor reports to, a micro-dollar a unit
    expect(fake.prices.get(setup.usagePriceId)).toMatchObject({ unit_amount_decimal: "0.0001", recurring: { usage_type: "metered", meter: setup.meterId } });
    expect(fake.meters.get(setup.meterId)).toMatchObject({ event_name: METER_EVENT_NAME, default_aggregation: { formula: "sum" } });
  });

  it("the stand-in refuses what Stripe refuses: a metered price without a meter, an event for an unknown meter", async () => {
    await expect(
      stripe.prices.create({ product: setup.productId, currency: "usd", unit_amount: 1, recurring: { interval: "month", usage_type: "metered" } }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/must be backed by a meter/) });
    await expect(
      stripe.billing.meterEvents.create({ event_name: "arbor_usage_typo", payload: { stripe_customer_id: "cus_x", value: "5" } }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/No active meter/) });
  });
});

/** A Managed subscriber, subscribed the way a person is: Checkout, paid on Stripe's page, the webhook's events. */
async function managedSubscriber() {
  const { owner, project } = await makeProject(database.db);
  const { sessionId } = await startCheckout(database.db, { userId: owner.id, email: owner.email, kind: "subscribe_managed" });
  for (const event of await fake.completeCheckout(sessionId)) {
    const payload = JSON.stringify(event);
    const result = await receiveStripeWebhook(database.db, payload, signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }));
    expect(result.status).toBe(200);
  }
  const account = await ensureBillingAccount(database.db, owner.id);
  expect(account.tier).toBe("managed");
  return { owner, project, customer: account.stripeCustomerId ?? "" };
}

async function cloudCall(projectId: string, actorId: string, n: number, usage: { tokensIn: number; tokensOut: number }) {
  const hold = await reserveCloudBudget(database.db, { projectId, actorId, requestId: `invoice-${actorId}-${n}`, model: "claude-sonnet-5-5", bound: { tokensIn: 500_000, tokensOut: 40_000 } });
  return settleReservation(database.db, { reservationId: hold.reservationId, messageId: null, usage });
}

describe("usage reaches the invoice", () => {
  it("a Managed Checkout subscribes to the flat price and the metered price", async () => {
    const { customer } = await managedSubscriber();
    const subscription = [...fake.subscriptions.values()].find((s) => s.customer === customer);
    const items = (subscription?.items as { data: Array<{ price: { id: string } }> } | undefined)?.data.map((i) => i.price.id);
    expect(items).toEqual([setup.managedPriceId, setup.usagePriceId]);
  });

  it("the upcoming invoice's usage line is the period's net charges, credits taken off", async () => {
    const { owner, project, customer } = await managedSubscriber();
    // some credits: they pay first, so the invoice carries only what they did not cover
    await database.db.update(billingAccounts).set({ creditsMicros: 700_000n }).where(eq(billingAccounts.userId, owner.id));
    const usages = [
      { tokensIn: 400_000, tokensOut: 20_000 },
      { tokensIn: 123_457, tokensOut: 3_210 },
      { tokensIn: 9, tokensOut: 1 },
      { tokensIn: 250_000, tokensOut: 39_999 },
    ];
    for (const [n, usage] of usages.entries()) await cloudCall(project.id, owner.id, n, usage);
    expect(await reportUsageToStripe(database.db, stripe)).toMatchObject({ failed: 0 });

    const events = await database.db.select().from(usageEvents).where(and(eq(usageEvents.payerId, owner.id), gte(usageEvents.netChargeMicros, 0n)));
    const net = events.reduce((sum, e) => sum + e.netChargeMicros, 0n);
    const charged = events.reduce((sum, e) => sum + e.costBasisMicros + e.markupMicros, 0n);
    expect(net).toBe(charged - 700_000n);

    const preview = await stripe.invoices.createPreview({ customer });
    const lines = preview.lines.data;
    const usageLine = lines.find((l) => l.pricing?.price_details?.price === setup.usagePriceId);
    const flatLine = lines.find((l) => l.pricing?.price_details?.price === setup.managedPriceId);
    expect(usageLine?.quantity).toBe(Number(net));
    expect(usageLine?.amount).toBe(Math.round(Number(net) / 10_000)); // a micro-dollar a unit, rounded to the cent
    expect(flatLine?.amount).toBe(1000);
    expect(preview.amount_due).toBe(1000 + Math.round(Number(net) / 10_000));

    // the Billing page shows the same invoice
    const { upcoming } = await listInvoices(database.db, owner.id);
    expect(upcoming?.lines.map((l) => l.amountMicros)).toEqual([10_000_000n, BigInt(Math.round(Number(net) / 10_000)) * 10_000n]);
    expect(upcoming?.lines[1]?.quantity).toBe(Number(net));
  });
});

describe("meter events are never dropped", () => {
  it("backs off exponentially, dead-letters after the retries where the operator sees it, and still delivers it later", async () => {
    const { owner, project } = await managedSubscriber();
    const { usageEventId } = await cloudCall(project.id, owner.id, 100, { tokensIn: 1_000, tokensOut: 100 });
    const errors: string[] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
    try {
      let now = Date.now();
      for (let failure = 1; failure <= MAX_METER_ATTEMPTS; failure++) {
        fake.failNext(2, /meter_events/); // the client's own retry fails too
        expect(await reportUsageToStripe(database.db, stripe, { now: new Date(now) })).toMatchObject({ reported: 0, failed: 1 });
        // not tried again before its wait is over
        expect(await reportUsageToStripe(database.db, stripe, { now: new Date(now + meterRetryDelayMs(failure) - 1_000) })).toEqual({ reported: 0, failed: 0 });
        now += meterRetryDelayMs(failure);
      }
      expect([1, 2, 3, 8].map(meterRetryDelayMs)).toEqual([30_000, 60_000, 120_000, 3_840_000]);
      const [dead] = await database.db.select().from(usageEvents).where(eq(usageEvents.id, usageEventId));
      expect(dead).toMatchObject({ meterAttempts: MAX_METER_ATTEMPTS, meterReportedAt: null, meterDeadLetteredAt: expect.any(Date), meterError: expect.stringMatching(/fake outage/) });
      expect(await meterBacklog(database.db)).toMatchObject({ deadLettered: 1 });
      expect(errors.filter((e) => e.includes(`METER DEAD LETTER usage event ${usageEventId}`))).toHaveLength(1);
    } finally {
      console.error = log;
    }
    // Stripe is back: the dead letter goes out on its next (slow) retry and leaves the backlog
    expect(await reportUsageToStripe(database.db, stripe, { now: new Date(Date.now() + 7 * 3600_000) })).toMatchObject({ reported: 1 });
    expect(fake.meterEvents.get(usageEventId)).toMatchObject({ event_name: METER_EVENT_NAME });
    expect(await meterBacklog(database.db)).toEqual({ waiting: 0, deadLettered: 0 });
  });
});
