import "server-only";
import type { Db } from "@/db/client";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { clearRateLimit, hitRateLimit, type RateLimitRule } from "@/server/security/rate-limit";

/** The flows anyone can start without being signed in (resend needs a session but sends mail). */
export type AuthFlow = "sign-in" | "sign-up" | "reset" | "magic-link" | "resend";

const MINUTE = 60_000;

/**
 * Per account (the normalised address, whether or not an account has it, so
 * an unknown address is limited exactly like a real one) and per client
 * address (server/security/client-address.ts). Sign-in counts password checks;
 * the rest count mails. Every mail the per-account limit lets through goes to
 * the address's owner, so an attacker using the limit up still leaves the
 * owner with working links in their inbox (SECURITY.md, "Lockout").
 */
export const AUTH_LIMITS: Record<AuthFlow, { account: RateLimitRule; address: RateLimitRule }> = {
  "sign-in": { account: { limit: 5, windowMs: 15 * MINUTE }, address: { limit: 50, windowMs: 15 * MINUTE } },
  "sign-up": { account: { limit: 3, windowMs: 60 * MINUTE }, address: { limit: 10, windowMs: 60 * MINUTE } },
  reset: { account: { limit: 3, windowMs: 60 * MINUTE }, address: { limit: 10, windowMs: 60 * MINUTE } },
  "magic-link": { account: { limit: 5, windowMs: 15 * MINUTE }, address: { limit: 20, windowMs: 60 * MINUTE } },
  resend: { account: { limit: 3, windowMs: 60 * MINUTE }, address: { limit: 10, windowMs: 60 * MINUTE } },
};

const accountKey = (flow: AuthFlow, email: string) => `${flow}:account:${email.trim().toLowerCase()}`;

/**
 * Count one request from `address`; false past the limit. The e2e suite,
 * all from one address, raises the limit with RATE_LIMIT_ADDRESS_FACTOR.
 */
export async function addressAllowed(db: Db, { flow, address }: { flow: AuthFlow; address: string }): Promise<boolean> {
  const base = AUTH_LIMITS[flow].address;
  const rule = { ...base, limit: base.limit * getEnv().RATE_LIMIT_ADDRESS_FACTOR };
  const { limited } = await hitRateLimit(db, { key: `${flow}:address:${address}`, rule });
  return !limited;
}

/** As addressAllowed, refusing outright past the limit (saying so reveals nothing about any account). */
export async function spendAddressAllowance(db: Db, args: { flow: AuthFlow; address: string }): Promise<void> {
  if (!(await addressAllowed(db, args))) {
    throw new AppError("rate_limited:auth", "Too many attempts from your network. Wait a few minutes and try again.");
  }
}

/**
 * Reserve one use for `email` *before* doing the work, in one atomic upsert:
 * parallel requests each get their own number, so no burst gets more than the
 * limit through however it is timed. `attempt` is this request's number.
 */
export async function spendAccountAllowance(db: Db, { flow, email }: { flow: AuthFlow; email: string }): Promise<{ allowed: boolean; attempt: number; last: boolean }> {
  const rule = AUTH_LIMITS[flow].account;
  const { count, rate, limited } = await hitRateLimit(db, { key: accountKey(flow, email), rule });
  // `last`: the next attempt would be refused, so this one's failure is the one that locks.
  return { allowed: !limited, attempt: count, last: rate + 1 > rule.limit };
}

/** A correct password ends the run of failures for that address. */
export async function forgetAccountFailures(db: Db, { flow, email }: { flow: AuthFlow; email: string }): Promise<void> {
  await clearRateLimit(db, { key: accountKey(flow, email) });
}
