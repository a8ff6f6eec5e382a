/**
 * Micro-USD (bigint) to text, only at the edge. Sub-cent amounts keep four
 * decimals because a short answer costs a fraction of a cent.
 */
export function formatMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const dollars = abs / 1_000_000n;
  const rest = abs % 1_000_000n;
  // cents when whole cents or ≥ $10; otherwise 4 decimals (rounded up, never down to $0.0000 for a real charge)
  const wholeCents = rest % 10_000n === 0n;
  let text: string;
  if (wholeCents || dollars >= 10n) {
    const cents = (rest + 5_000n) / 10_000n;
    text = cents === 100n ? `${dollars + 1n}.00` : `${dollars}.${cents.toString().padStart(2, "0")}`;
  } else {
    const tenThousandths = (rest + 99n) / 100n;
    text = tenThousandths === 10_000n ? `${dollars + 1n}.0000` : `${dollars}.${tenThousandths.toString().padStart(4, "0")}`;
  }
  return `${negative ? "-" : ""}$${groupThousands(text)}`;
}

function groupThousands(text: string): string {
  const [whole = "0", fraction] = text.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** "12.50" → 12_500_000n; rejects anything but a plain non-negative decimal with ≤ 6 places. */
export function parseDollars(text: string): bigint | null {
  const match = /^\s*\$?(\d{1,9})(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (!match) return null;
  const whole = BigInt(match[1] ?? "0");
  const fraction = BigInt((match[2] ?? "").padEnd(6, "0"));
  return whole * 1_000_000n + fraction;
}

export const MICROS_PER_USD = 1_000_000n;
