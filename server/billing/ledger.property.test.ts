import fc from "fast-check";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Database } from "@/db/client";
import type { FakeStripe } from "@/testing/fakes/stripe-api";
import { type StripeEnvironment, startStripeEnvironment } from "@/testing/stripe-environment";
import { handoverHistory, ledgerProperty, WEBHOOK_SECRET } from "@/testing/ledger-model";

/**
 * The ledger against a model, over random histories (testing/ledger-model.ts
 * says what a history holds and what is checked after every step). A fixed
 * seed and a modest number of runs here; `npm run bench -- ledger` runs many more.
 */
const SEED = 20261201;
let database: Database;
let fake: FakeStripe;
let stripe: Stripe;

let environment: StripeEnvironment;

beforeAll(async () => {
  environment = await startStripeEnvironment({ secretKey: "sk_test_ledger", webhookSecret: WEBHOOK_SECRET });
  ({ database, fake, stripe } = environment);
});
afterAll(() => environment.close());

describe("the ledger over random histories", () => {
  it("never leaks: floors, quotas, charges = settled holds, each hold closed once, each usage event on Stripe once", { timeout: 120_000 }, async () => {
    await fc.assert(ledgerProperty(database.db, stripe, fake, { maxCommands: 24 }), { seed: SEED, numRuns: 12, endOnFailure: true, examples: [handoverHistory()] });
  });
});
