import { describe, expect, it } from "vitest";
import { formatLatency, formatTokens } from "./answer-figures";

describe("formatLatency / formatTokens", () => {
  it("reads like a person would say it", () => {
    expect(formatLatency(840)).toBe("840 ms");
    expect(formatLatency(1530)).toBe("1.5 s");
    expect(formatLatency(null)).toBeNull();
    expect(formatTokens(1200, 35)).toBe("1,200 in · 35 out");
  });
});
