import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { checkoutSessions } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { resetEnvForTests } from "@/server/env";
import { makeUser } from "@/testing/fixtures";
import { startCheckout } from "./checkout";
import { checkoutMode, testCheckoutAnnounced } from "./checkout-mode";
import { accountSummary } from "./summary";
import { webhookSecret } from "./stripe";
import { payTestCheckout } from "./test-checkout";

let database: Database;
const saved = { NODE_ENV: process.env.NODE_ENV, ARBOR_DATA_DIR: process.env.ARBOR_DATA_DIR };

beforeAll(async () => {
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "d".repeat(64);
  database = await createTestDatabase();
});
afterAll(() => database.close());
afterEach(() => {
  Object.assign(process.env, { NODE_ENV: saved.NODE_ENV });
  for (const k of ["ARBOR_TEST_CHECKOUT", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]) delete process.env[k];
  if (saved.ARBOR_DATA_DIR === undefined) delete process.env.ARBOR_DATA_DIR;
  resetEnvForTests();
});

/** A production build's environment (the test process itself stays "test" everywhere else). */
function production(extra: Record<string, string> = {}) {
  Object.assign(process.env, { NODE_ENV: "production", ARBOR_DATA_DIR: `/tmp/arbor-checkout-mode-${process.pid}` }, extra);
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.STRIPE_WEBHOOK_SECRET;
  resetEnvForTests();
}

describe("where the test checkout may run", () => {
  it("decides on the build, Stripe and the operator's explicit variable", () => {
    expect(checkoutMode({ NODE_ENV: "development" })).toBe("test");
    expect(checkoutMode({ NODE_ENV: "production" })).toBe("unavailable");
    expect(checkoutMode({ NODE_ENV: "production", ARBOR_TEST_CHECKOUT: "0" })).toBe("unavailable");
    expect(checkoutMode({ NODE_ENV: "production", ARBOR_TEST_CHECKOUT: "1" })).toBe("test");
    expect(checkoutMode({ NODE_ENV: "production", STRIPE_SECRET_KEY: "sk_live_x", ARBOR_TEST_CHECKOUT: "1" })).toBe("stripe");
    // only a production build that kept the test checkout says so on every page
    expect(testCheckoutAnnounced({ NODE_ENV: "production", ARBOR_TEST_CHECKOUT: "1" })).toBe(true);
    expect(testCheckoutAnnounced({ NODE_ENV: "production" })).toBe(false);
    expect(testCheckoutAnnounced({ NODE_ENV: "development" })).toBe(false);
  });

  it("a production build without Stripe sells nothing: no plan, no credits, no test payment, no webhook secret", async () => {
    const user = await makeUser(database.db);
    production();
    for (const kind of ["subscribe_managed", "subscribe_byok", "credits"] as const) {
      await expect(startCheckout(database.db, { userId: user.id, email: user.email, kind, creditsMicros: 20_000_000n })).rejects.toMatchObject({
        code: "unavailable:payments",
        message: expect.stringMatching(/^Paid plans and credits are unavailable on this server: it has no Stripe account configured/),
      });
    }
    // a checkout row left from before (e.g. made while the variable was set) cannot be paid either
    await database.db.insert(checkoutSessions).values({ id: "cs_test_arbor_0123abcd", userId: user.id, kind: "credits", amountMicros: 20_000_000n });
    await expect(payTestCheckout(database.db, { userId: user.id, sessionId: "cs_test_arbor_0123abcd" })).rejects.toMatchObject({ code: "forbidden:test_checkout" });
    // nothing could sign a forged event: no secret is generated
    expect(webhookSecret()).toBeNull();
    expect(await accountSummary(database.db, user.id)).toMatchObject({ checkoutMode: "unavailable", stripeConfigured: false });
  });

  it("the operator's ARBOR_TEST_CHECKOUT=1 keeps it in production, announced", async () => {
    const user = await makeUser(database.db);
    production({ ARBOR_TEST_CHECKOUT: "1" });
    const session = await startCheckout(database.db, { userId: user.id, email: user.email, kind: "credits", creditsMicros: 20_000_000n });
    expect(session.url).toBe(`/billing/test-checkout/${session.sessionId}`);
    expect(testCheckoutAnnounced()).toBe(true);
    expect(webhookSecret()).toMatch(/^whsec_dev_/);
  });
});
