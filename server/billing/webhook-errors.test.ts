import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { statusOf } from "@/lib/errors";
import { resetEnvForTests } from "@/server/env";
import { createTestDatabase } from "@/testing/database";
import { receiveStripeWebhook } from "./webhook";

/** The webhook refuses in the same vocabulary as every other Route Handler: `{ error: { code, message } }`, status from the code's kind. */
const SECRET = "whsec_test_arbor_webhook_errors";
let database: Database;

beforeAll(async () => {
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "b".repeat(64);
  database = await createTestDatabase();
});
afterAll(() => database.close());

function withSecret(secret: string | undefined, key?: string) {
  if (secret) process.env.STRIPE_WEBHOOK_SECRET = secret;
  else delete process.env.STRIPE_WEBHOOK_SECRET;
  if (key) process.env.STRIPE_SECRET_KEY = key;
  else delete process.env.STRIPE_SECRET_KEY;
  resetEnvForTests();
}

describe("the Stripe webhook's refusals", () => {
  it("answer with an error code whose kind gives the status", async () => {
    withSecret(SECRET);
    const payload = JSON.stringify({ id: "evt_x", object: "event" });
    const signed = new Stripe("sk_test_signer_only").webhooks.generateTestHeaderString({ payload, secret: "whsec_someone_else" });
    const cases = [
      [await receiveStripeWebhook(database.db, payload, null), "bad_request:signature"],
      [await receiveStripeWebhook(database.db, payload, signed), "bad_request:signature"],
    ] as const;
    for (const [result, code] of cases) {
      expect(result.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(result.status).toBe(statusOf(code));
    }
    const notAnEvent = "{}";
    const ok = new Stripe("sk_test_signer_only").webhooks.generateTestHeaderString({ payload: notAnEvent, secret: SECRET });
    const refused = await receiveStripeWebhook(database.db, notAnEvent, ok);
    expect(refused).toEqual({ status: 400, body: { error: { code: "bad_request:stripe_event", message: expect.any(String) } } });
  });

  it("say plainly when events cannot be verified at all", async () => {
    withSecret(undefined, "sk_test_real_key_without_webhook_secret");
    const result = await receiveStripeWebhook(database.db, "{}", "t=1,v1=x");
    expect(result).toEqual({ status: 503, body: { error: { code: "unavailable:webhook_secret", message: expect.stringContaining("STRIPE_WEBHOOK_SECRET") } } });
    withSecret(undefined);
  });
});
