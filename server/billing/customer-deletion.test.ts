import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { accountDeletions, billingAccounts, stripeCustomerDeletions, users } from "@/db/schema";
import { purgeDueDeletions } from "@/server/account/deletion";
import { createTestDatabase } from "@/testing/database";
import { type FakeStripe, startFakeStripe } from "@/testing/fakes/stripe-api";
import { makeUser } from "@/testing/fixtures";
import { deleteQueuedStripeCustomers, retryDelayMs } from "./customer-deletion";
import { createStripeClient } from "./stripe";

let database: Database;
let fake: FakeStripe;
beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeStripe();
});
afterAll(async () => {
  await fake.close();
  await database.close();
});

/** A person with a Stripe customer (made at the stand-in, as Checkout does) whose deletion is due. */
async function dueAccountWithCustomer() {
  const stripe = createStripeClient("sk_test_fake", fake.url);
  const me = await makeUser(database.db);
  const customer = await stripe.customers.create({ email: me.email, metadata: { userId: me.id } });
  await database.db.insert(billingAccounts).values({ userId: me.id, stripeCustomerId: customer.id });
  await database.db.insert(accountDeletions).values({ userId: me.id, requestedAt: new Date(), purgeAfter: new Date(Date.now() - 1000) });
  return { me, customerId: customer.id, stripe };
}
const queued = (customerId: string) => database.db.select().from(stripeCustomerDeletions).where(eq(stripeCustomerDeletions.customerId, customerId));

describe("a removed account's Stripe customer", () => {
  it("is deleted at Stripe after the account is removed, outside the removal's transaction", async () => {
    const { me, customerId, stripe } = await dueAccountWithCustomer();
    expect(await purgeDueDeletions(database.db)).toBe(1);
    expect(await database.db.select().from(users).where(eq(users.id, me.id))).toEqual([]);
    // the removal itself made no call to Stripe: the customer is queued, still there
    expect(fake.customers.has(customerId)).toBe(true);
    expect(await queued(customerId)).toHaveLength(1);
    expect(await deleteQueuedStripeCustomers(database.db, { stripe })).toEqual({ deleted: 1, failed: 0 });
    expect(fake.customers.has(customerId)).toBe(false);
    expect(fake.requests.some((r) => r.method === "DELETE" && r.path === `/v1/customers/${customerId}`)).toBe(true);
    expect(await queued(customerId)).toEqual([]);
  });

  it("when Stripe fails, the account is removed all the same and the worker retries later until Stripe confirms", async () => {
    const { me, customerId, stripe } = await dueAccountWithCustomer();
    fake.failNext(1, /^\/v1\/customers\//);
    expect(await purgeDueDeletions(database.db)).toBe(1);
    expect(await database.db.select().from(users).where(eq(users.id, me.id))).toEqual([]);
    const now = new Date();
    expect(await deleteQueuedStripeCustomers(database.db, { stripe, now })).toEqual({ deleted: 0, failed: 1 });
    const [row] = await queued(customerId);
    expect(row?.attempts).toBe(1);
    expect(row?.lastError).toMatch(/trouble/);
    expect(row?.nextAttemptAt.getTime()).toBe(now.getTime() + retryDelayMs(1));
    // not before the backoff is over
    expect(await deleteQueuedStripeCustomers(database.db, { stripe, now })).toEqual({ deleted: 0, failed: 0 });
    expect(await deleteQueuedStripeCustomers(database.db, { stripe, now: new Date(now.getTime() + retryDelayMs(1)) })).toEqual({ deleted: 1, failed: 0 });
    expect(fake.customers.has(customerId)).toBe(false);
    expect(await queued(customerId)).toEqual([]);
  });

  it("a customer Stripe no longer has (deleted already) ends the job", async () => {
    const { customerId, stripe } = await dueAccountWithCustomer();
    await purgeDueDeletions(database.db);
    await stripe.customers.del(customerId);
    expect(await deleteQueuedStripeCustomers(database.db, { stripe })).toEqual({ deleted: 1, failed: 0 });
    expect(await queued(customerId)).toEqual([]);
  });

  it("a Stripe that never answers is given up on after the timeout, and retried later", async () => {
    const { customerId } = await dueAccountWithCustomer();
    await purgeDueDeletions(database.db);
    // A server that accepts the request and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const stuck = createStripeClient("sk_test_fake", `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
      const started = Date.now();
      expect(await deleteQueuedStripeCustomers(database.db, { stripe: stuck, timeoutMs: 300 })).toEqual({ deleted: 0, failed: 1 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await queued(customerId))[0]?.attempts).toBe(1);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
