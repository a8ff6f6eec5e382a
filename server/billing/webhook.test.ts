import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, checkoutSessions, notifications, stripeEvents, subscriptions } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { resetEnvForTests } from "@/server/env";
import { makeUser } from "@/testing/fixtures";
import { startFakeStripe } from "@/testing/fakes/stripe-api";
import { ensureBillingAccount } from "./accounts";
import { startCheckout } from "./checkout";
import { getTestCheckout, payTestCheckout } from "./test-checkout";
import { processStripeEvent, receiveStripeWebhook, retryStripeEvents } from "./webhook";

const SECRET = "whsec_test_arbor_webhook_secret";
const signer = new Stripe("sk_test_signer_only");
let database: Database;

beforeAll(async () => {
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "b".repeat(64);
  database = await createTestDatabase();
});
afterAll(() => database.close());
beforeEach(() => {
  process.env.STRIPE_WEBHOOK_SECRET = SECRET;
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_API_URL;
  resetEnvForTests();
});

let n = 0;
function event(type: string, object: Record<string, unknown>, created: number) {
  return { id: `evt_${type.replace(/\W/g, "_")}_${++n}`, object: "event", api_version: "2026-10-28.endive", created, type, data: { object }, livemode: false };
}
function sign(payload: string, secret = SECRET, timestamp?: number) {
  return signer.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}
async function deliver(e: object) {
  const payload = JSON.stringify(e);
  return receiveStripeWebhook(database.db, payload, sign(payload));
}

async function creditsCheckout(userId: string, micros: bigint) {
  const sessionId = `cs_test_${++n}`;
  await database.db.insert(checkoutSessions).values({ id: sessionId, userId, kind: "credits", amountMicros: micros });
  return sessionId;
}

describe("webhook signature", () => {
  it("rejects unsigned, wrongly signed and stale events with 400 and changes nothing", async () => {
    const user = await makeUser(database.db);
    const sessionId = await creditsCheckout(user.id, 10_000_000n);
    const e = event("checkout.session.completed", { id: sessionId, object: "checkout.session", mode: "payment", payment_status: "paid", customer: "cus_x1", metadata: {} }, 1_700_000_000);
    const payload = JSON.stringify(e);
    expect((await receiveStripeWebhook(database.db, payload, null)).status).toBe(400);
    expect((await receiveStripeWebhook(database.db, payload, sign(payload, "whsec_wrong"))).status).toBe(400);
    expect((await receiveStripeWebhook(database.db, payload, sign(payload, SECRET, Math.floor(Date.now() / 1000) - 3600))).status).toBe(400);
    expect((await receiveStripeWebhook(database.db, `${payload} `, sign(payload))).status).toBe(400);
    expect(await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id))).toEqual([]);
    const account = await ensureBillingAccount(database.db, user.id);
    expect(account.creditsMicros).toBe(0n);
  });

  it("stores, applies once, treats a replay as a no-op, and ignores unknown types", async () => {
    const user = await makeUser(database.db);
    const sessionId = await creditsCheckout(user.id, 10_000_000n);
    const e = event("checkout.session.completed", { id: sessionId, object: "checkout.session", mode: "payment", payment_status: "paid", customer: "cus_replay", metadata: {} }, 1_700_000_000);
    expect(await deliver(e)).toEqual({ status: 200, body: { received: true, outcome: "processed" } });
    expect(await deliver(e)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    const account = await ensureBillingAccount(database.db, user.id);
    expect(account).toMatchObject({ creditsMicros: 10_000_000n, stripeCustomerId: "cus_replay" });
    expect(await deliver(event("radar.early_fraud_warning.created", { id: "x" }, 1))).toEqual({ status: 200, body: { received: true, outcome: "ignored" } });
  });

  it("records a failure with the error, and the worker retries it", async () => {
    const user = await makeUser(database.db);
    // an invoice for a customer we do not know yet fails…
    const e = event("invoice.payment_failed", { id: "in_1", object: "invoice", customer: "cus_later", amount_due: 500 }, 1_700_000_100);
    expect((await deliver(e)).body).toMatchObject({ outcome: "failed" });
    const [failed] = await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id));
    expect(failed).toMatchObject({ outcome: "failed", attempts: 1, error: expect.stringContaining("cus_later") });
    // …until the customer is linked; the retry then succeeds
    await ensureBillingAccount(database.db, user.id);
    await database.db.update(billingAccounts).set({ stripeCustomerId: "cus_later" }).where(eq(billingAccounts.userId, user.id));
    expect(await retryStripeEvents(database.db, new Date(Date.now() + 3_600_000))).toBe(1);
    const [done] = await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id));
    expect(done).toMatchObject({ outcome: "processed", attempts: 2, error: null });
    expect(await processStripeEvent(database.db, e.id)).toBe("processed");
    const notes = await database.db.select().from(notifications).where(eq(notifications.userId, user.id));
    expect(notes.map((x) => x.kind)).toEqual(["payment_failed"]);
  });
});

/** One customer's story, as Stripe would send it. */
async function scenario(userId: string, tag: string) {
  const customer = `cus_${tag}`;
  const sub = `sub_${tag}`;
  const credits = await creditsCheckout(userId, 20_000_000n);
  const plan = `cs_plan_${tag}`;
  await database.db.insert(checkoutSessions).values({ id: plan, userId, kind: "subscribe_managed" });
  await ensureBillingAccount(database.db, userId);
  await database.db.update(billingAccounts).set({ unbilledMicros: 900_000n }).where(eq(billingAccounts.userId, userId));
  const subscription = (status: string, cancel: boolean, periodEnd: number) => ({
    id: sub,
    object: "subscription",
    customer,
    status,
    cancel_at_period_end: cancel,
    items: { object: "list", data: [{ id: "si_1", current_period_end: periodEnd }] },
    metadata: { userId, tier: "managed" },
  });
  const t = 1_700_000_000;
  return [
    event("checkout.session.completed", { id: credits, object: "checkout.session", mode: "payment", payment_status: "paid", customer, metadata: {} }, t),
    event("checkout.session.completed", { id: plan, object: "checkout.session", mode: "subscription", payment_status: "paid", customer, subscription: sub, metadata: {} }, t + 10),
    event("customer.subscription.created", subscription("active", false, t + 2_592_000), t + 11),
    event("invoice.paid", { id: `in_${tag}_1`, object: "invoice", customer, amount_paid: 550, lines: { data: [{ amount: 500, metadata: { kind: "plan" } }, { amount: 50, metadata: {} }] } }, t + 12),
    event("customer.subscription.updated", subscription("past_due", false, t + 2_592_000), t + 20),
    event("invoice.payment_failed", { id: `in_${tag}_2`, object: "invoice", customer, amount_due: 700 }, t + 21),
    event("customer.subscription.updated", subscription("active", true, t + 2_592_000), t + 30),
    event("customer.subscription.deleted", subscription("canceled", true, t + 2_592_000), t + 40),
    event("radar.early_fraud_warning.created", { id: "ignored" }, t + 41),
  ];
}

async function snapshot(userId: string) {
  const [account] = await database.db.select().from(billingAccounts).where(eq(billingAccounts.userId, userId));
  const subs = await database.db.select().from(subscriptions).where(eq(subscriptions.userId, userId));
  const notes = await database.db.select().from(notifications).where(eq(notifications.userId, userId));
  return {
    tier: account?.tier,
    credits: account?.creditsMicros,
    unbilled: account?.unbilledMicros,
    customer: account?.stripeCustomerId?.replace(/_.*$/, "_"),
    subs: subs.map((s) => ({ tier: s.tier, status: s.status, cancel: s.cancelAtPeriodEnd, end: s.currentPeriodEnd?.toISOString(), at: s.stripeUpdatedAt })),
    notes: notes.map((x) => x.kind).sort(),
  };
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("delivery order", () => {
  it("shuffled and duplicated delivery ends in the same state as one in-order delivery", async () => {
    const inOrderUser = await makeUser(database.db);
    for (const e of await scenario(inOrderUser.id, "inorder")) expect((await deliver(e)).status).toBe(200);
    const expected = await snapshot(inOrderUser.id);
    expect(expected).toMatchObject({ tier: "free", credits: 20_000_000n, unbilled: 400_000n });
    expect(expected.subs).toEqual([{ tier: "managed", status: "canceled", cancel: 1, end: expect.any(String), at: 1_700_000_040 }]);

    for (const seed of [1, 7, 42]) {
      const user = await makeUser(database.db);
      const events = await scenario(user.id, `shuffled${seed}`);
      const storm = shuffle([...events, ...events], seed);
      // transiently failing events (invoice before the customer is known) are retried by the worker
      for (const e of storm) expect((await deliver(e)).status).toBe(200);
      await retryStripeEvents(database.db, new Date(Date.now() + 3_600_000));
      expect(await snapshot(user.id)).toEqual(expected);
    }
  });

  it("a live subscription keeps the tier; the newest state wins over a late older event", async () => {
    const user = await makeUser(database.db);
    const events = await scenario(user.id, "live");
    const keep = events.filter((e) => e.type !== "customer.subscription.deleted");
    for (const e of [...keep].reverse()) await deliver(e);
    await retryStripeEvents(database.db, new Date(Date.now() + 3_600_000));
    const state = await snapshot(user.id);
    expect(state.tier).toBe("managed");
    expect(state.subs[0]).toMatchObject({ status: "active", cancel: 1, at: 1_700_000_030 });
  });
});

describe("with Stripe configured", () => {
  it("re-reads the subscription's latest state from the Stripe API", async () => {
    const fake = await startFakeStripe();
    try {
      process.env.STRIPE_SECRET_KEY = "sk_test_fake";
      process.env.STRIPE_API_URL = fake.url;
      resetEnvForTests();
      const user = await makeUser(database.db);
      await ensureBillingAccount(database.db, user.id);
      fake.subscriptions.set("sub_reread", { id: "sub_reread", object: "subscription", customer: "cus_reread", status: "canceled", cancel_at_period_end: false, metadata: { userId: user.id, tier: "managed" } });
      // the payload still says active, but the subscription is already canceled in Stripe
      const stale = event("customer.subscription.created", { id: "sub_reread", object: "subscription", customer: "cus_reread", status: "active", metadata: { userId: user.id, tier: "managed" } }, 1_700_000_000);
      expect((await deliver(stale)).body).toMatchObject({ outcome: "processed" });
      const [sub] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, "sub_reread"));
      expect(sub?.status).toBe("canceled");
      expect((await ensureBillingAccount(database.db, user.id)).tier).toBe("free");
      expect(fake.requests.some((r) => r.method === "GET" && r.path === "/v1/subscriptions/sub_reread")).toBe(true);
    } finally {
      await fake.close();
    }
  });
});

describe("test checkout", () => {
  it("Pay signs Stripe-shaped events and sends them through the webhook endpoint", async () => {
    delete process.env.STRIPE_WEBHOOK_SECRET;
    process.env.ARBOR_DATA_DIR = `/tmp/arbor-billing-test-${process.pid}`;
    resetEnvForTests();
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const result = await receiveStripeWebhook(database.db, Buffer.concat(chunks).toString("utf8"), String(req.headers["stripe-signature"] ?? ""));
      res.writeHead(result.status, { "content-type": "application/json" }).end(JSON.stringify(result.body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    // Pay posts to APP_URL's webhook (never the request's Host): APP_URL is this stand-in server.
    process.env.APP_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resetEnvForTests();
    try {
      const user = await makeUser(database.db);
      await ensureBillingAccount(database.db, user.id);
      await database.db.update(billingAccounts).set({ pendingCouponPriceMicros: 24_000_000n }).where(eq(billingAccounts.userId, user.id));
      const plan = await startCheckout(database.db, { userId: user.id, email: user.email, kind: "subscribe_managed" });
      expect(plan.url).toBe(`/billing/test-checkout/${plan.sessionId}`);
      const shown = await getTestCheckout(database.db, user.id, plan.sessionId);
      expect(shown.lineItems.map((i) => [i.label, i.amountMicros])).toEqual([
        ["Arbor Managed", 10_000_000n],
        ["Handover first-year price", -8_000_000n], // $24 first year = $2/month
      ]);
      await payTestCheckout(database.db, { userId: user.id, sessionId: plan.sessionId });
      const account = await ensureBillingAccount(database.db, user.id);
      expect(account).toMatchObject({ tier: "managed", pendingCouponPriceMicros: null, stripeCustomerId: expect.stringMatching(/^cus_test_/) });
      await expect(payTestCheckout(database.db, { userId: user.id, sessionId: plan.sessionId })).rejects.toMatchObject({ code: "conflict:checkout" });

      const credits = await startCheckout(database.db, { userId: user.id, email: user.email, kind: "credits", creditsMicros: 25_000_000n });
      await payTestCheckout(database.db, { userId: user.id, sessionId: credits.sessionId });
      expect((await ensureBillingAccount(database.db, user.id)).creditsMicros).toBe(25_000_000n);
      const kinds = (await database.db.select().from(stripeEvents).where(inArray(stripeEvents.type, ["checkout.session.completed"]))).length;
      expect(kinds).toBeGreaterThanOrEqual(2);
    } finally {
      server.close();
      delete process.env.ARBOR_DATA_DIR;
      delete process.env.APP_URL;
    }
  });
});
