import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, checkoutSessions, usageEvents } from "@/db/schema";
import type { FakeStripe } from "@/testing/fakes/stripe-api";
import { type StripeEnvironment, startStripeEnvironment } from "@/testing/stripe-environment";
import { makeProject, makeUser } from "@/testing/fixtures";
import { ensureBillingAccount } from "./accounts";
import { openCustomerPortal, startCheckout } from "./checkout";
import { reserveCloudBudget } from "./reserve";
import { settleReservation } from "./settle";
import { METER_EVENT_NAME, reportUsageToStripe } from "./meter";
import { getStripe } from "./stripe";
import { type StripeSetup } from "./stripe-setup";

let database: Database;
let fake: FakeStripe;
let setup: StripeSetup;
let environment: StripeEnvironment;
beforeAll(async () => {
  // what an operator does once per Stripe account: the product, prices and meter, then the variables it prints
  environment = await startStripeEnvironment({ secretKey: "sk_test_fake", webhookSecret: "whsec_test", appUrl: "http://app.test", exportPrices: true });
  ({ database, fake, setup } = environment);
});
afterAll(() => environment.close());

describe("Checkout through the real stripe client", () => {
  it("creates one customer, a subscription session with the handover coupon, and records it", async () => {
    const user = await makeUser(database.db);
    await ensureBillingAccount(database.db, user.id);
    await database.db.update(billingAccounts).set({ pendingCouponPriceMicros: 36_000_000n }).where(eq(billingAccounts.userId, user.id));
    const { sessionId, url } = await startCheckout(database.db, { userId: user.id, email: user.email, kind: "subscribe_byok" });
    expect(url).toBe(`${fake.url}/c/pay/${sessionId}`);
    const session = fake.sessions.get(sessionId);
    expect(session).toMatchObject({
      mode: "subscription",
      // from APP_URL, never from a request's Host header
      success_url: "http://app.test/billing?checkout=success",
      cancel_url: "http://app.test/billing?checkout=cancelled",
      client_reference_id: user.id,
      subscription_data: { metadata: { userId: user.id, tier: "byok" } },
      // the plan's flat price and the metered usage price (no quantity: the meter's events are the quantity)
      line_items_requested: [{ price: setup.byokPriceId, quantity: "1" }, { price: setup.usagePriceId }],
    });
    const coupon = [...fake.coupons.values()].at(-1);
    expect(coupon).toMatchObject({ amount_off: 700, duration: "repeating", duration_in_months: 12 }); // $10 − $36/12
    expect(session?.discounts).toEqual([{ coupon: coupon?.id }]);
    const account = await ensureBillingAccount(database.db, user.id);
    expect(fake.customers.has(account.stripeCustomerId ?? "")).toBe(true);
    const [row] = await database.db.select().from(checkoutSessions).where(eq(checkoutSessions.id, sessionId));
    expect(row).toMatchObject({ kind: "subscribe_byok", status: "open" });

    await startCheckout(database.db, { userId: user.id, email: user.email, kind: "credits", creditsMicros: 5_000_000n });
    expect([...fake.customers.values()].filter((c) => c.email === user.email)).toHaveLength(1);
  });

  it("rejects absurd credit amounts before calling Stripe", async () => {
    const user = await makeUser(database.db);
    const before = fake.requests.length;
    for (const amount of [4_990_000n, 500_010_000n, -5_000_000n, 5_000_001n]) {
      await expect(startCheckout(database.db, { userId: user.id, email: user.email, kind: "credits", creditsMicros: amount })).rejects.toMatchObject({
        code: "bad_request:credits",
      });
    }
    expect(fake.requests.length).toBe(before);
  });

  it("a Stripe outage gives a clear message and leaves no session behind", async () => {
    const user = await makeUser(database.db);
    // the client tries twice (maxNetworkRetries: 1)
    fake.failNext(2, /checkout\/sessions/);
    await expect(startCheckout(database.db, { userId: user.id, email: user.email, kind: "subscribe_managed" })).rejects.toMatchObject({
      code: "unavailable:stripe",
      message: expect.stringMatching(/not answering.*Nothing was charged/),
    });
    expect(await database.db.select().from(checkoutSessions).where(eq(checkoutSessions.userId, user.id))).toEqual([]);
    expect((await ensureBillingAccount(database.db, user.id)).tier).toBe("free");
  });

  it("opens the Customer Portal for a known customer", async () => {
    const user = await makeUser(database.db);
    await expect(openCustomerPortal(database.db, { userId: user.id })).rejects.toMatchObject({ code: "bad_request:no_customer" });
    await startCheckout(database.db, { userId: user.id, email: user.email, kind: "credits", creditsMicros: 10_000_000n });
    const { url } = await openCustomerPortal(database.db, { userId: user.id });
    expect(url).toMatch(/^https:\/\/billing\.stripe\.test\//);
  });
});

describe("meter reporting", () => {
  it("reports each managed usage event once, retries failures, and survives a lost mark", async () => {
    const { owner, project } = await makeProject(database.db);
    await startCheckout(database.db, { userId: owner.id, email: owner.email, kind: "credits", creditsMicros: 5_000_000n });
    await database.db.update(billingAccounts).set({ tier: "managed" }).where(eq(billingAccounts.userId, owner.id));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await reserveCloudBudget(database.db, { projectId: project.id, actorId: owner.id, requestId: `meter-${owner.id}-${i}`, model: "claude-sonnet-5-5", bound: { tokensIn: 10, tokensOut: 100 } });
      ids.push((await settleReservation(database.db, { reservationId: r.reservationId, messageId: null, usage: { tokensIn: 10, tokensOut: 100 } })).usageEventId);
    }
    const stripe = getStripe();
    fake.failNext(2, /meter_events/); // one event: first try and its automatic retry
    const first = await reportUsageToStripe(database.db, stripe);
    expect(first).toMatchObject({ reported: 2, failed: 1 });
    // the failed one waits out its backoff (30 s after a first failure)
    expect(await reportUsageToStripe(database.db, stripe)).toEqual({ reported: 0, failed: 0 });
    const second = await reportUsageToStripe(database.db, stripe, { now: new Date(Date.now() + 31_000) });
    expect(second).toMatchObject({ reported: 1, failed: 0 });
    expect(await reportUsageToStripe(database.db, stripe, { now: new Date(Date.now() + 31_000) })).toEqual({ reported: 0, failed: 0 });
    for (const id of ids) {
      expect(fake.meterEvents.get(id)).toMatchObject({ event_name: METER_EVENT_NAME, payload: { value: "1051" } }); // (20 + 1000) × 1.03, rounded up
    }
    // the process crashed after Stripe accepted but before we marked it: the identifier stops a second copy
    await database.db.update(usageEvents).set({ meterReportedAt: null }).where(eq(usageEvents.id, ids[0] ?? ""));
    expect(await reportUsageToStripe(database.db, stripe)).toMatchObject({ reported: 1 });
    expect([...fake.meterEvents.keys()].filter((k) => ids.includes(k))).toHaveLength(3);
    const rows = await database.db.select().from(usageEvents).where(eq(usageEvents.payerId, owner.id));
    expect(rows.every((r) => r.meterReportedAt !== null)).toBe(true);
  });
});
