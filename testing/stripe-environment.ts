import type Stripe from "stripe";
import type { Database } from "@/db/client";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { getStripe } from "@/server/billing/stripe";
import { setupEnvLines, setupStripe, type StripeSetup } from "@/server/billing/stripe-setup";
import { resetEnvForTests } from "@/server/env";
import { createTestDatabase } from "./database";
import { type FakeStripe, startFakeStripe } from "./fakes/stripe-api";

export type StripeEnvironment = { database: Database; fake: FakeStripe; stripe: Stripe; setup: StripeSetup; close: () => Promise<void> };

/**
 * A migrated database with model prices, the local Stripe stand-in, and the
 * real stripe client pointed at it, set up as an operator would: `stripe:setup`
 * makes the product, prices and meter. With `exportPrices`, the variables it
 * prints are set too (what Checkout needs). `close()` undoes all of it.
 */
export async function startStripeEnvironment(options: { secretKey: string; webhookSecret: string; appUrl?: string; exportPrices?: boolean }): Promise<StripeEnvironment> {
  const database = await createTestDatabase();
  await ensureModelPrices(database.db);
  const fake = await startFakeStripe();
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  process.env.ENCRYPTION_KEY ??= "c".repeat(64);
  const set: Record<string, string> = { STRIPE_SECRET_KEY: options.secretKey, STRIPE_WEBHOOK_SECRET: options.webhookSecret, STRIPE_API_URL: fake.url };
  if (options.appUrl) set.APP_URL = options.appUrl;
  Object.assign(process.env, set);
  resetEnvForTests();
  const stripe = getStripe() as Stripe;
  const setup = await setupStripe(stripe);
  if (options.exportPrices) {
    for (const line of setupEnvLines(setup)) {
      const [name, value] = line.split("=");
      if (name && value) set[name] = process.env[name] = value;
    }
    resetEnvForTests();
  }
  return {
    database,
    fake,
    stripe,
    setup,
    close: async () => {
      await fake.close();
      await database.close();
      for (const name of Object.keys(set)) delete process.env[name];
      resetEnvForTests();
    },
  };
}
