/**
 * Money for client and server alike. Amounts are integer micro-USD (`bigint`)
 * everywhere they are stored or summed; text exists only at the edge, made
 * here and read back here.
 *
 * One rounding rule: a displayed amount is rounded half away from zero to the
 * precision it is shown at (Intl's "halfExpand", applied to the exact decimal —
 * no float ever holds an amount). Whole-cent precision for amounts of a cent or
 * more; below a cent, two significant digits, so a real charge never reads
 * "$0.00". Per-answer costs can ask for all six places.
 * @see docs/architecture.md#money-on-screen
 */

export const MICROS_PER_USD = 1_000_000n;
export const MICROS_PER_CENT = 10_000n;

/** A micro-USD amount as it arrives: a bigint, or its decimal string (JSON has no bigint). */
export type MicrosInput = bigint | string;

const usd = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", ...options });
const CENTS = usd({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
const SUB_CENT = usd({ maximumSignificantDigits: 2 });
const ALL_PLACES = usd({ minimumFractionDigits: 6, maximumFractionDigits: 6 });

/**
 * Micro-USD as dollars for people: "$1,234.56", "$0.0012", "—" for no amount.
 * `precision: "micros"` shows all six places ("$0.000123"), for one answer's cost.
 */
export function formatUsd(micros: MicrosInput | null | undefined, { precision = "cents" }: { precision?: "cents" | "micros" } = {}): string {
  if (micros == null) return "—";
  const value = toMicros(micros);
  const decimal = microsToDecimal(value);
  if (precision === "micros") return ALL_PLACES.format(decimal as Intl.StringNumericLiteral);
  const abs = value < 0n ? -value : value;
  const format = abs > 0n && abs < MICROS_PER_CENT ? SUB_CENT : CENTS;
  return format.format(decimal as Intl.StringNumericLiteral);
}

/**
 * The exact decimal dollars of an amount, for machines and inputs: "12.500000"
 * (CSV, exports), or with `trim` the "12.5" a form field shows. Never rounded.
 */
export function microsToDecimal(micros: MicrosInput, { trim = false }: { trim?: boolean } = {}): string {
  const value = toMicros(micros);
  const sign = value < 0n ? "-" : "";
  const abs = value < 0n ? -value : value;
  const whole = abs / MICROS_PER_USD;
  const fraction = (abs % MICROS_PER_USD).toString().padStart(6, "0");
  const shown = trim ? fraction.replace(/0+$/, "") : fraction;
  return shown ? `${sign}${whole}.${shown}` : `${sign}${whole}`;
}

/** Longest whole-dollar part a person can type: far beyond any real amount, short enough to be a typo guard. */
const MAX_WHOLE_DIGITS = 15;
const DOLLARS = new RegExp(`^\\$?(\\d{1,${MAX_WHOLE_DIGITS}}|\\d{1,3}(?:,\\d{3})+)(?:\\.(\\d{0,6}))?$`);

/**
 * Typed dollars → micro-USD by string arithmetic: "12.50", "$1,234.5", "0.000001".
 * `null` for anything else — negative amounts, more than six decimals, exponents —
 * so each caller answers with a message about its own field.
 */
export function parseUsd(text: string): bigint | null {
  const match = DOLLARS.exec(text.trim());
  if (!match) return null;
  const whole = BigInt((match[1] ?? "0").replace(/,/g, ""));
  const fraction = BigInt((match[2] ?? "").padEnd(6, "0"));
  return whole * MICROS_PER_USD + fraction;
}

/** A dollar amount given as a number (a JSON field): through its six-place decimal, so 0.1 is exactly 100,000 micros. */
export function parseUsdNumber(value: number): bigint | null {
  return Number.isFinite(value) ? parseUsd(value.toFixed(6)) : null;
}


function toMicros(micros: MicrosInput): bigint {
  return typeof micros === "bigint" ? micros : BigInt(micros);
}
