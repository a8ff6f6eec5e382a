import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Stripe from "stripe";
import { resolveDataDir } from "@/db/data-dir";
import { getEnv } from "@/server/env";
import { checkoutMode } from "./checkout-mode";

/** A Stripe client; STRIPE_API_URL points it at another host (the local stand-in in tests). */
export function createStripeClient(secretKey: string, apiUrl?: string): Stripe {
  if (!apiUrl) return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 20_000 });
  const url = new URL(apiUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port || (protocol === "http" ? 80 : 443),
    protocol,
    maxNetworkRetries: 1,
    timeout: 20_000,
  });
}

const holder = globalThis as typeof globalThis & { __arborStripe?: { key: string; client: Stripe } };

/** The configured client, or null when STRIPE_SECRET_KEY is not set (then the test checkout runs instead). */
export function getStripe(): Stripe | null {
  const env = getEnv();
  if (!env.STRIPE_SECRET_KEY) return null;
  const cacheKey = `${env.STRIPE_SECRET_KEY}@${env.STRIPE_API_URL ?? ""}`;
  if (holder.__arborStripe?.key !== cacheKey) {
    holder.__arborStripe = { key: cacheKey, client: createStripeClient(env.STRIPE_SECRET_KEY, env.STRIPE_API_URL) };
  }
  return holder.__arborStripe.client;
}

export function stripeConfigured(): boolean {
  return Boolean(getEnv().STRIPE_SECRET_KEY);
}

/**
 * The secret webhooks are verified with. With a real Stripe key it must be
 * configured (events come from Stripe). Without one, the test checkout signs
 * its own events, with a secret generated once into the data directory — in a
 * file of its own so it never races the writer of secrets.json. A server that
 * takes no payments at all accepts no events.
 */
export function webhookSecret(): string | null {
  const env = getEnv();
  if (env.STRIPE_WEBHOOK_SECRET) return env.STRIPE_WEBHOOK_SECRET;
  if (checkoutMode(env) !== "test") return null;
  const file = path.join(resolveDataDir(), "stripe-webhook-secret");
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored) return stored;
  }
  const secret = `whsec_dev_${randomBytes(24).toString("hex")}`;
  // "wx" = fail if another request created it first; then read theirs.
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch {
    return readFileSync(file, "utf8").trim();
  }
}

/** Only Stripe's verifier is used, so no key is needed to check a signature. */
export function webhookVerifier(): Stripe {
  return getStripe() ?? new Stripe("sk_test_verifier_only");
}
