/**
 * `npm run stripe:setup`: finds or creates Arbor's product, plan prices,
 * Billing Meter and metered price in the Stripe account of STRIPE_SECRET_KEY
 * (STRIPE_API_URL points it elsewhere, e.g. the local stand-in), then prints
 * the variables to set. Safe to run again: it changes nothing that is right.
 * @see docs/billing.md#stripe-setup
 */
import { setupEnvLines, setupStripe } from "@/server/billing/stripe-setup";
import { createStripeClient } from "@/server/billing/stripe";
import { getEnv } from "@/server/env";

const env = getEnv();
if (!env.STRIPE_SECRET_KEY) {
  console.error("STRIPE_SECRET_KEY is not set. Use a test-mode key (sk_test_…) first, then the live one.");
  process.exit(1);
}
const setup = await setupStripe(createStripeClient(env.STRIPE_SECRET_KEY, env.STRIPE_API_URL));
console.log(setup.created.length ? `Created: ${setup.created.join(", ")}.` : "Everything was already set up; nothing changed.");
console.log(`Product ${setup.productId}, meter ${setup.meterId}.\n\nPut these in the environment:\n`);
console.log(setupEnvLines(setup).join("\n"));
