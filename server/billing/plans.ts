import "server-only";
import { ceilDiv } from "./cost";

export type PaidTier = "managed" | "byok";

/**
 * The paid plans: a monthly platform fee ($120 a year, the regular price a handover quotes) plus metered usage (managed:
 * cost × 1.03; byok: a 30 % fee on the cost paid with the person's own key).
 * The fee is what a handover's first-year price discounts.
 */
export const PLANS: Record<PaidTier, { name: string; monthlyMicros: bigint; usage: string }> = {
  managed: { name: "Arbor Managed", monthlyMicros: 10_000_000n, usage: "Cloud usage at provider cost + 3 %, invoiced monthly" },
  byok: { name: "Arbor Bring your own key", monthlyMicros: 10_000_000n, usage: "Your own Anthropic key; Arbor's fee is 30 % of the cost basis, invoiced monthly" },
};

export const CREDIT_LIMITS = { minMicros: 5_000_000n, maxMicros: 500_000_000n } as const;

/** A first-year price (per year) as a monthly discount for 12 months; 0 when the price is not lower. */
export function couponMonthlyOffMicros(tier: PaidTier, firstYearPriceMicros: bigint): bigint {
  const firstYearMonthly = ceilDiv(firstYearPriceMicros, 12n);
  const off = PLANS[tier].monthlyMicros - firstYearMonthly;
  return off > 0n ? off : 0n;
}

/** Stripe amounts are integer cents; micro-USD amounts we send are whole cents by construction. */
export function microsToCents(micros: bigint): number {
  return Number(micros / 10_000n);
}

export function centsToMicros(cents: number): bigint {
  return BigInt(Math.round(cents)) * 10_000n;
}
