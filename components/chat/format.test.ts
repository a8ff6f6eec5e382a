import { describe, expect, it } from "vitest";
import { formatLatency, formatMicros, formatTokens } from "./format";

describe("formatMicros", () => {
  it("shows micro-dollars with six places, without floating point", () => {
    expect(formatMicros(123n)).toBe("$0.000123");
    expect(formatMicros("0")).toBe("$0.000000");
    expect(formatMicros(12_345_678n)).toBe("$12.345678");
    expect(formatMicros("9007199254740993")).toBe("$9007199254.740993");
  });
});

describe("formatLatency / formatTokens", () => {
  it("reads like a person would say it", () => {
    expect(formatLatency(840)).toBe("840 ms");
    expect(formatLatency(1530)).toBe("1.5 s");
    expect(formatLatency(null)).toBeNull();
    expect(formatTokens(1200, 35)).toBe("1,200 in · 35 out");
  });
});
