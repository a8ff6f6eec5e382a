import { microsToDecimal, parseUsd } from "./money";

/**
 * What a person typed as "USD per million tokens" → micro-USD for the server,
 * which checks the range with its own words. A leading minus is kept (so a
 * negative price is refused as negative, not as "not a number"); anything
 * else unreadable is null, for the form to say so.
 */
export function priceFromInput(text: string): bigint | null {
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) {
    const abs = parseUsd(trimmed.slice(1));
    return abs === null ? null : -abs;
  }
  return parseUsd(trimmed);
}

/** micro-USD per million tokens as the field shows it: "3", "0.15". */
export function priceForInput(micros: bigint | null): string {
  return micros === null ? "" : microsToDecimal(micros, { trim: true });
}
