import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { stripeEvents, subscriptions } from "@/db/schema";
import { resetEnvForTests } from "@/server/env";
import { createTestDatabase } from "@/testing/database";
import { makeUser } from "@/testing/fixtures";
import { ensureBillingAccount } from "./accounts";
import { receiveStripeWebhook } from "./webhook";

const SECRET = "whsec_test_outside_transaction";
let database: Database;

beforeAll(async () => {
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "b".repeat(64);
  database = await createTestDatabase();
});
afterAll(() => database.close());

/** A Stripe API that holds GET /v1/subscriptions/<id> until released, so the test can look around meanwhile. */
async function slowStripe(subscription: Record<string, unknown>) {
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = createServer(async (req, res) => {
    if (req.method === "GET" && req.url?.startsWith(`/v1/subscriptions/${subscription.id}`)) {
      arrived();
      await released;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(subscription));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { type: "invalid_request_error", message: "not here" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, arrival, release, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work, new Promise<"timed out">((resolve) => setTimeout(() => resolve("timed out"), ms))]);

describe("the webhook calls Stripe outside any transaction", () => {
  it("leaves the database free (and the event row unlocked) while Stripe is slow to answer", async () => {
    const user = await makeUser(database.db);
    await ensureBillingAccount(database.db, user.id);
    const sub = { id: "sub_slow", object: "subscription", customer: "cus_slow", status: "active", cancel_at_period_end: false, metadata: { userId: user.id, tier: "managed" } };
    const stripe = await slowStripe(sub);
    try {
      process.env.STRIPE_WEBHOOK_SECRET = SECRET;
      process.env.STRIPE_SECRET_KEY = "sk_test_slow";
      process.env.STRIPE_API_URL = stripe.url;
      resetEnvForTests();
      const event = { id: "evt_slow_1", object: "event", api_version: "2026-10-28.endive", created: 1_700_000_000, type: "customer.subscription.updated", data: { object: sub }, livemode: false };
      const payload = JSON.stringify(event);
      const signature = new Stripe("sk_test_signer_only").webhooks.generateTestHeaderString({ payload, secret: SECRET });
      const delivery = receiveStripeWebhook(database.db, payload, signature);
      await stripe.arrival;

      // On PGlite a transaction is exclusive: had one been open around the Stripe call, this would wait for Stripe.
      // On Postgres the event row would be locked: NOWAIT would fail at once.
      const probe = database.db.transaction((tx) => tx.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, event.id)).for("update", { noWait: true }));
      expect(await within(2_000, probe)).toEqual([{ id: event.id }]);

      stripe.release();
      expect((await delivery).body).toMatchObject({ outcome: "processed" });
      const [stored] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, "sub_slow"));
      expect(stored).toMatchObject({ userId: user.id, status: "active", tier: "managed" });
    } finally {
      stripe.release();
      await stripe.close();
      delete process.env.STRIPE_SECRET_KEY;
      delete process.env.STRIPE_API_URL;
      resetEnvForTests();
    }
  });
});
