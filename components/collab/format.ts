/** Micro-USD → "$1,234.56" for display only (rounded to cents; sub-cent amounts keep four decimals so they never read as $0.00). */
export function formatUsd(micros: bigint | null | undefined): string {
  if (micros == null) return "—";
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  if (abs > 0n && abs < 10_000n) return `${negative ? "-" : ""}$${(Number(abs) / 1_000_000).toFixed(4)}`;
  const cents = (abs + 5_000n) / 10_000n;
  const dollars = (cents / 100n).toLocaleString("en-US");
  return `${negative ? "-" : ""}$${dollars}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** Micro-USD → the plain "12.5" a quota input shows (no thousands separators, trailing zeros trimmed). */
export function microsToInput(micros: bigint | null | undefined): string {
  if (micros == null) return "";
  const whole = micros / 1_000_000n;
  const fraction = (micros % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 hours ago", "in 2 days" — for joined / last active / expiry columns. */
export function relativeTime(date: Date | string | null | undefined, now = Date.now()): string {
  if (!date) return "never";
  const diff = new Date(date).getTime() - now;
  const abs = Math.abs(diff);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, ms] of units) if (abs >= ms) return RELATIVE.format(Math.round(diff / ms), unit);
  return "just now";
}

/** A tRPC error's message, already written for people by the server. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong. Please try again.";
}
