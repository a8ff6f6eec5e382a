/**
 * Starts every fake upstream as one process (Playwright's webServer runs
 * `npx tsx testing/fakes/serve.ts`): Anthropic on 127.0.0.1:4010 and an
 * OpenAI-compatible local model on 127.0.0.1:4011 (LOCAL_MODEL_URL=http://127.0.0.1:4011/v1)
 * and the Stripe API stand-in on 127.0.0.1:4012 (STRIPE_API_URL).
 */
import { startFakeAnthropic } from "./anthropic";
import { startFakeLocalModel } from "./local-model";
import { startFakeStripe } from "./stripe-api";

const anthropicPort = Number(process.env.FAKE_ANTHROPIC_PORT ?? 4010);
const localPort = Number(process.env.FAKE_LOCAL_MODEL_PORT ?? 4011);

// FAKE_ANTHROPIC_USAGE=adversarial reports the largest usage the real API could (see anthropic.ts).
const usage = process.env.FAKE_ANTHROPIC_USAGE === "adversarial" ? "adversarial" : "counted";
const anthropic = await startFakeAnthropic(anthropicPort, "127.0.0.1", { usage });
console.log(`[fakes] Anthropic Messages API on ${anthropic.url} (usage: ${usage})`);
const local = await startFakeLocalModel(localPort);
console.log(`[fakes] OpenAI-compatible local model on ${local.url}`);
// Stripe's API stand-in: a server with STRIPE_SECRET_KEY=sk_test_… and STRIPE_API_URL=http://127.0.0.1:4012 talks to it.
// Paying on its hosted Checkout page delivers the signed events to FAKE_STRIPE_WEBHOOK_URL, as a Stripe webhook endpoint would get them.
const webhook =
  process.env.FAKE_STRIPE_WEBHOOK_URL && process.env.FAKE_STRIPE_WEBHOOK_SECRET
    ? { url: process.env.FAKE_STRIPE_WEBHOOK_URL, secret: process.env.FAKE_STRIPE_WEBHOOK_SECRET }
    : undefined;
const stripe = await startFakeStripe({ port: Number(process.env.FAKE_STRIPE_PORT ?? 4012), webhook });
console.log(`[fakes] Stripe API stand-in on ${stripe.url}`);

const shutdown = async () => {
  await Promise.all([anthropic.close(), local.close(), stripe.close()]);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
