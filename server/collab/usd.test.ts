import { describe, expect, it } from "vitest";
import { assertQuota, usdToMicros } from "./usd";

describe("a quota in dollars → micro-USD", () => {
  it("parses typed dollars and JSON numbers exactly, without floats", () => {
    expect(usdToMicros("12.34")).toBe(12_340_000n);
    expect(usdToMicros("0.1")).toBe(100_000n);
    expect(usdToMicros(" 5 ")).toBe(5_000_000n);
    expect(usdToMicros(0.3)).toBe(300_000n);
  });

  it("rejects negative, malformed and absurd amounts with a plain message", () => {
    expect(() => usdToMicros("-1")).toThrow(/negative/);
    expect(() => usdToMicros(-0.5)).toThrow(/negative/);
    expect(() => usdToMicros("1e6")).toThrow(/in dollars/);
    expect(() => usdToMicros("1.0000019")).toThrow(/in dollars/);
    expect(() => usdToMicros(Number.NaN)).toThrow(/in dollars/);
    expect(() => assertQuota(usdToMicros("10000.000001"))).toThrow(/\$10,000/);
    expect(() => assertQuota(usdToMicros(1e12))).toThrow(/\$10,000/);
    expect(assertQuota(usdToMicros("10000"))).toBe(10_000_000_000n);
  });
});
