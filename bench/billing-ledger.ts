/**
 * The ledger's property test in long mode: many more random histories than
 * `npm test` runs (server/billing/ledger.property.test.ts), each up to 40
 * steps, on PGlite and — with TEST_DATABASE_URL — Postgres. A new random seed
 * each time unless LEDGER_SEED is set; LEDGER_RUNS sets the count (200).
 * A failure prints fast-check's shrunk counterexample and its seed.
 *
 * Run alone: npx tsx --conditions=react-server bench/billing-ledger.ts
 */
import fc from "fast-check";
import type Stripe from "stripe";
import { createTestDatabase } from "@/testing/database";
import { startFakeStripe } from "@/testing/fakes/stripe-api";
import { ledgerProperty, WEBHOOK_SECRET } from "@/testing/ledger-model";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { getStripe } from "@/server/billing/stripe";
import { setupStripe } from "@/server/billing/stripe-setup";
import { resetEnvForTests } from "@/server/env";

const RUNS = Number(process.env.LEDGER_RUNS ?? 200);

async function runOn(driver: "pglite" | "postgres") {
  process.env.TEST_DB = driver;
  const database = await createTestDatabase();
  const fake = await startFakeStripe();
  try {
    await ensureModelPrices(database.db);
    process.env.AUTH_SECRET ??= "bench-secret-bench-secret-bench-secret-42";
    process.env.ENCRYPTION_KEY ??= "c".repeat(64);
    Object.assign(process.env, { STRIPE_SECRET_KEY: "sk_test_ledger", STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: fake.url });
    resetEnvForTests();
    const stripe = getStripe() as Stripe;
    await setupStripe(stripe);
    const seed = process.env.LEDGER_SEED ? Number(process.env.LEDGER_SEED) : Date.now() % 2 ** 31;
    const started = performance.now();
    await fc.assert(ledgerProperty(database.db, stripe, fake, { maxCommands: 40 }), { seed, numRuns: RUNS, endOnFailure: true });
    const seconds = (performance.now() - started) / 1000;
    console.log(`billing ledger [${driver}]: ${RUNS} random histories (seed ${seed}) kept every invariant, ${seconds.toFixed(1)} s (${((seconds * 1000) / RUNS).toFixed(0)} ms a history)`);
  } finally {
    await fake.close();
    await database.close();
  }
}

export async function run(): Promise<void> {
  await runOn("pglite");
  if (process.env.TEST_DATABASE_URL) await runOn("postgres");
  else console.log("billing ledger [postgres]: skipped (set TEST_DATABASE_URL to run it)");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
