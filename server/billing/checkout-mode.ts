import "server-only";
import { type Env, getEnv } from "@/server/env";

/**
 * How this server takes payments: through Stripe (STRIPE_SECRET_KEY), through
 * the test checkout (signed events, no real payment), or not at all. The test
 * checkout hands out paid plans and credits for nothing, so a production build
 * runs it only when the operator asks for it by name (ARBOR_TEST_CHECKOUT=1),
 * and then every page says so (testCheckoutAnnounced).
 */
export type CheckoutMode = "stripe" | "test" | "unavailable";

export function checkoutMode(env: Pick<Env, "NODE_ENV" | "STRIPE_SECRET_KEY" | "ARBOR_TEST_CHECKOUT"> = getEnv()): CheckoutMode {
  if (env.STRIPE_SECRET_KEY) return "stripe";
  if (env.NODE_ENV !== "production" || env.ARBOR_TEST_CHECKOUT === "1") return "test";
  return "unavailable";
}

/** A production build running the test checkout: every page carries a banner saying no real payment is taken. */
export function testCheckoutAnnounced(env: Pick<Env, "NODE_ENV" | "STRIPE_SECRET_KEY" | "ARBOR_TEST_CHECKOUT"> = getEnv()): boolean {
  return env.NODE_ENV === "production" && checkoutMode(env) === "test";
}

/** The plain sentence a person reads where paid plans and credits would be. */
export const PAYMENTS_UNAVAILABLE =
  "Paid plans and credits are unavailable on this server: it has no Stripe account configured, so it cannot take payments. Local answers and the free monthly allowance work as usual.";
