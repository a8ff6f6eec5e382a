import { describe, expect, it } from "vitest";
import { safeNext } from "./validation";

describe("safeNext", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeNext("/projects/abc?tab=chat#m1")).toBe("/projects/abc?tab=chat#m1");
    expect(safeNext("/invite/tok_123")).toBe("/invite/tok_123");
    expect(safeNext("/dashboard")).toBe("/dashboard");
  });

  it.each([
    ["protocol-relative", "//evil.example/x"],
    ["backslash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["tab after the slash", "/\t/evil.example"],
    ["newline after the slash", "/\n/evil.example"],
    ["carriage return", "/\r/evil.example"],
    ["leading space", " //evil.example"],
    ["absolute URL", "https://evil.example/"],
    ["scheme", "javascript:alert(1)"],
    ["encoded slash", "/%2F/evil.example"],
    ["encoded backslash", "/%5Cevil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["double-encoded slash", "/%252F%252Fevil.example"],
    ["relative", "dashboard"],
    ["empty", ""],
    ["not a string", 42],
  ])("refuses %s", (_what, next) => {
    expect(safeNext(next)).toBe("/dashboard");
  });

  it("uses the fallback it is given", () => {
    expect(safeNext("//evil.example", "/sign-in")).toBe("/sign-in");
  });
});
