import "server-only";
import { formatUsd } from "@/lib/money";
import { MAX_PROVIDER_PRICE_MICROS_PER_MTOK } from "@/db/schema";
import { AppError } from "@/server/errors";

export { MAX_PROVIDER_PRICE_MICROS_PER_MTOK };

/**
 * A price per million tokens as micro-USD, checked with words: a whole number
 * of micro-USD, not negative, and no more than MAX_PROVIDER_PRICE_MICROS_PER_MTOK
 * (USD 1,000 per million tokens — a larger figure is a typo that would make
 * every hold refuse). `what` names the field in the message.
 */
export function checkPrice(value: bigint | number | string, what: string): bigint {
  let micros: bigint;
  try {
    micros = typeof value === "bigint" ? value : BigInt(typeof value === "number" ? value : value.trim());
  } catch {
    throw new AppError("bad_request:price", `${what} must be a whole number of micro-USD per million tokens (1 USD = 1,000,000).`);
  }
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new AppError("bad_request:price", `${what} must be a whole number of micro-USD per million tokens (1 USD = 1,000,000).`);
  }
  if (micros < 0n) throw new AppError("bad_request:price", `${what} cannot be negative.`);
  if (micros > MAX_PROVIDER_PRICE_MICROS_PER_MTOK) {
    throw new AppError(
      "bad_request:price",
      `${what} of ${formatUsd(micros)} per million tokens is more than the ${formatUsd(MAX_PROVIDER_PRICE_MICROS_PER_MTOK)} Arbor accepts; check for an extra zero or cents entered as dollars.`,
    );
  }
  return micros;
}
