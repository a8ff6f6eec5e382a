import "server-only";
import { MICROS_PER_USD, parseUsd, parseUsdNumber } from "@/lib/money";
import { AppError } from "@/server/errors";

/** The largest quota one member can be given: a typo guard, not a business limit. */
export const MAX_QUOTA_MICROS = 10_000n * MICROS_PER_USD;

/** A quota typed as dollars ("12.34") or sent as a number (12.34) → micro-USD, or a message about the quota field. */
export function usdToMicros(value: string | number): bigint {
  const micros = typeof value === "number" ? parseUsdNumber(value) : parseUsd(value);
  if (micros !== null) return micros;
  if (/^\s*-/.test(String(value))) throw new AppError("bad_request:quota", "A quota cannot be negative.");
  throw new AppError("bad_request:quota", "Write the quota in dollars, for example 5 or 12.50.");
}

/** Reject quotas outside 0 … $10,000 with a message a person can act on. */
export function assertQuota(micros: bigint): bigint {
  if (micros < 0n) throw new AppError("bad_request:quota", "A quota cannot be negative.");
  if (micros > MAX_QUOTA_MICROS) throw new AppError("bad_request:quota", "A quota can be at most $10,000.");
  return micros;
}
