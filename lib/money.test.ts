import { describe, expect, it } from "vitest";
import { formatUsd, MICROS_PER_USD, microsToDecimal, parseUsd, parseUsdNumber } from "./money";

describe("formatUsd: one formatter, one rounding rule (half away from zero at the shown precision)", () => {
  it("shows cents for a cent or more, grouped by thousands", () => {
    expect(formatUsd(12_345_678n)).toBe("$12.35");
    expect(formatUsd(12_335_000n)).toBe("$12.34");
    expect(formatUsd(12_345_000n)).toBe("$12.35");
    expect(formatUsd(-12_345_000n)).toBe("-$12.35");
    expect(formatUsd(1_234_000_000n)).toBe("$1,234.00");
    expect(formatUsd(995_000n)).toBe("$1.00");
    expect(formatUsd(0n)).toBe("$0.00");
  });

  it("never shows a real charge below a cent as $0.00 (two significant digits)", () => {
    expect(formatUsd(1_200n)).toBe("$0.0012");
    expect(formatUsd(123n)).toBe("$0.00012");
    expect(formatUsd(1n)).toBe("$0.000001");
    expect(formatUsd(9_999n)).toBe("$0.01");
  });

  it("shows all six places when asked (one answer's cost), exactly, for any size", () => {
    expect(formatUsd(123n, { precision: "micros" })).toBe("$0.000123");
    expect(formatUsd("0", { precision: "micros" })).toBe("$0.000000");
    expect(formatUsd("9007199254740993", { precision: "micros" })).toBe("$9,007,199,254.740993");
  });

  it("takes the decimal string JSON carries, and says — for no amount", () => {
    expect(formatUsd("20000000")).toBe("$20.00");
    expect(formatUsd(null)).toBe("—");
    expect(formatUsd(undefined)).toBe("—");
  });
});

describe("microsToDecimal: exact, for machines and inputs", () => {
  it("keeps all six places, or trims them for a form field", () => {
    expect(microsToDecimal(12_500_000n)).toBe("12.500000");
    expect(microsToDecimal(-1n)).toBe("-0.000001");
    expect(microsToDecimal(12_500_000n, { trim: true })).toBe("12.5");
    expect(microsToDecimal(3n * MICROS_PER_USD, { trim: true })).toBe("3");
  });
});

describe("parseUsd: one parser, no floats", () => {
  it("reads what people type", () => {
    expect(parseUsd("12.34")).toBe(12_340_000n);
    expect(parseUsd("$12.50")).toBe(12_500_000n);
    expect(parseUsd(" 5 ")).toBe(5_000_000n);
    expect(parseUsd("0.1")).toBe(100_000n);
    expect(parseUsd("7.")).toBe(7_000_000n);
    expect(parseUsd("1,234.5")).toBe(1_234_500_000n);
    expect(parseUsd("0.000001")).toBe(1n);
  });

  it("refuses what is not a plain non-negative amount of at most six decimals", () => {
    for (const text of ["", "-1", "1e6", "abc", "1.0000019", "12,34", "1,2345", "$", ".5", "1 000"]) expect(parseUsd(text)).toBeNull();
  });

  it("reads a JSON number through its six-place decimal", () => {
    expect(parseUsdNumber(0.3)).toBe(300_000n);
    expect(parseUsdNumber(0.1 + 0.2)).toBe(300_000n);
    expect(parseUsdNumber(Number.NaN)).toBeNull();
    expect(parseUsdNumber(-0.5)).toBeNull();
  });

  it("round-trips with microsToDecimal", () => {
    for (const micros of [0n, 1n, 999_999n, 12_345_678n, 10_000_000_000n]) expect(parseUsd(microsToDecimal(micros))).toBe(micros);
  });
});
