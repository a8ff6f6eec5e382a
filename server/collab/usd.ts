import { AppError } from "@/server/errors";

export const MICROS_PER_USD = 1_000_000n;
/** The largest quota one member can be given: a typo guard, not a business limit. */
export const MAX_QUOTA_MICROS = 10_000n * MICROS_PER_USD;

/**
 * "12.34" (or 12.34) dollars → 12_340_000n micro-USD, by string arithmetic so
 * no float ever touches the amount. At most six decimals (a micro-dollar).
 */
export function usdToMicros(value: string | number): bigint {
  const text = typeof value === "number" ? (Number.isFinite(value) ? value.toFixed(6) : "x") : value.trim();
  const match = /^(\d+)(?:\.(\d{0,6})\d*)?$/.exec(text);
  if (!match) {
    if (/^-/.test(text)) throw new AppError("bad_request:quota", "A quota cannot be negative.");
    throw new AppError("bad_request:quota", "Write the quota in dollars, for example 5 or 12.50.");
  }
  const whole = BigInt(match[1] ?? "0");
  const fraction = BigInt((match[2] ?? "").padEnd(6, "0"));
  return whole * MICROS_PER_USD + fraction;
}

/** Reject quotas outside 0 … $10,000 with a message a person can act on. */
export function assertQuota(micros: bigint): bigint {
  if (micros < 0n) throw new AppError("bad_request:quota", "A quota cannot be negative.");
  if (micros > MAX_QUOTA_MICROS) throw new AppError("bad_request:quota", "A quota can be at most $10,000.");
  return micros;
}
