import "server-only";
import type { BillingTier, KeySource, ModelPrice } from "@/db/schema";

export type PriceRates = Pick<ModelPrice, "inputMicrosPerMTok" | "outputMicrosPerMTok">;

/** ceil((in × input + out × output) / 1e6) — prices are micro-USD per million tokens. */
export function costBasisMicros(price: PriceRates, tokensIn: number, tokensOut: number): bigint {
  const numerator = BigInt(tokensIn) * price.inputMicrosPerMTok + BigInt(tokensOut) * price.outputMicrosPerMTok;
  return ceilDiv(numerator, 1_000_000n);
}

export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  if (numerator <= 0n) return 0n;
  return (numerator + denominator - 1n) / denominator;
}

export type Charge = {
  costBasisMicros: bigint;
  markupMicros: bigint;
  feeMicros: bigint;
  /** what the person spends in total (shown on the answer's badge; counts against ceilings and quotas) */
  chargedMicros: bigint;
  /** the part Arbor bills (from credits, then the allowance or the invoice): BYOK pays the provider directly, so only the fee */
  billableMicros: bigint;
};

/**
 * The tiers (docs/billing.md#billing-tiers-the-guard-stripe): free = cost (from the monthly allowance), managed = cost × 1.03,
 * byok = cost paid to the provider with the person's own key + Arbor's 30 % fee.
 * A project's own provider (keySource "provider"), on any tier: the cost at
 * the owner's prices counts against quotas and shows on the answer, but the
 * owner pays that provider directly, so Arbor bills none of it.
 */
export function chargeFor(tier: BillingTier, costBasis: bigint, keySource: KeySource = "platform"): Charge {
  if (keySource === "provider") {
    return { costBasisMicros: costBasis, markupMicros: 0n, feeMicros: 0n, chargedMicros: costBasis, billableMicros: 0n };
  }
  if (tier === "managed") {
    const markup = ceilDiv(costBasis * 3n, 100n);
    return { costBasisMicros: costBasis, markupMicros: markup, feeMicros: 0n, chargedMicros: costBasis + markup, billableMicros: costBasis + markup };
  }
  if (tier === "byok") {
    const fee = ceilDiv(costBasis * 30n, 100n);
    return { costBasisMicros: costBasis, markupMicros: 0n, feeMicros: fee, chargedMicros: costBasis + fee, billableMicros: fee };
  }
  return { costBasisMicros: costBasis, markupMicros: 0n, feeMicros: 0n, chargedMicros: costBasis, billableMicros: costBasis };
}

/** Start of the UTC calendar month containing `at`: allowances and ceilings are per calendar month. */
export function periodStartFor(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function nextPeriodStart(periodStart: Date): Date {
  return new Date(Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() + 1, 1));
}
