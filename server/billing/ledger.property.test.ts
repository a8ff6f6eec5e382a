import fc from "fast-check";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Database } from "@/db/client";
import { createTestDatabase } from "@/testing/database";
import { type FakeStripe, startFakeStripe } from "@/testing/fakes/stripe-api";
import { handoverHistory, ledgerProperty, WEBHOOK_SECRET } from "@/testing/ledger-model";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { resetEnvForTests } from "@/server/env";
import { getStripe } from "./stripe";
import { setupStripe } from "./stripe-setup";

/**
 * The ledger against a model, over random histories (testing/ledger-model.ts
 * says what a history holds and what is checked after every step). A fixed
 * seed and a modest number of runs here; `npm run bench -- ledger` runs many more.
 */
const SEED = 20261201;
let database: Database;
let fake: FakeStripe;
let stripe: Stripe;

beforeAll(async () => {
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
  fake = await startFakeStripe();
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "c".repeat(64);
  Object.assign(process.env, { STRIPE_SECRET_KEY: "sk_test_ledger", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: fake.url });
  resetEnvForTests();
  stripe = getStripe() as Stripe;
  await setupStripe(stripe);
});
afterAll(async () => {
  await fake.close();
  await database.close();
  for (const name of ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_URL"]) delete process.env[name];
  resetEnvForTests();
});

describe("the ledger over random histories", () => {
  it("never leaks: floors, quotas, charges = settled holds, each hold closed once, each usage event on Stripe once", { timeout: 120_000 }, async () => {
    await fc.assert(ledgerProperty(database.db, stripe, fake, { maxCommands: 24 }), { seed: SEED, numRuns: 12, endOnFailure: true, examples: [handoverHistory()] });
  });
});
