import { describe, expect, it } from "vitest";
import { formatUsd, microsToInput } from "@/components/collab/format";
import { assertQuota, usdToMicros } from "./usd";

describe("dollars ↔ micro-USD", () => {
  it("parses typed dollars exactly, without floats", () => {
    expect(usdToMicros("12.34")).toBe(12_340_000n);
    expect(usdToMicros("0.1")).toBe(100_000n);
    expect(usdToMicros(" 5 ")).toBe(5_000_000n);
    expect(usdToMicros(0.3)).toBe(300_000n);
    expect(usdToMicros("1.0000019")).toBe(1_000_001n);
  });

  it("rejects negative, malformed and absurd amounts with a plain message", () => {
    expect(() => usdToMicros("-1")).toThrow(/negative/);
    expect(() => usdToMicros(-0.5)).toThrow(/negative/);
    expect(() => usdToMicros("1e6")).toThrow(/in dollars/);
    expect(() => usdToMicros(Number.NaN)).toThrow(/in dollars/);
    expect(() => assertQuota(usdToMicros("10000.000001"))).toThrow(/\$10,000/);
    expect(assertQuota(usdToMicros("10000"))).toBe(10_000_000_000n);
  });

  it("formats for people and for inputs", () => {
    expect(formatUsd(12_345_678n)).toBe("$12.35");
    expect(formatUsd(1_234_000_000n)).toBe("$1,234.00");
    expect(formatUsd(1_200n)).toBe("$0.0012");
    expect(formatUsd(null)).toBe("—");
    expect(microsToInput(12_500_000n)).toBe("12.5");
    expect(microsToInput(3_000_000n)).toBe("3");
  });
});
