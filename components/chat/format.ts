/** Micro-USD (bigint or its decimal string) as dollars with all six places: a short answer costs fractions of a cent. */
export function formatMicros(micros: bigint | string | number): string {
  const value = typeof micros === "bigint" ? micros : BigInt(micros);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, "0");
  return `${negative ? "-" : ""}$${whole}.${fraction}`;
}

export function formatLatency(ms: number | null | undefined): string | null {
  if (ms == null) return null;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatTokens(tokensIn: number, tokensOut: number): string {
  return `${tokensIn.toLocaleString("en-US")} in · ${tokensOut.toLocaleString("en-US")} out`;
}
