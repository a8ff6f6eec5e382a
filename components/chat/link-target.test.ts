import { describe, expect, it } from "vitest";
import { linkTarget, textShowsTarget } from "./link-target";

describe("linkTarget", () => {
  it("keeps root paths of this site internal", () => {
    expect(linkTarget("/projects/1/knowledge?source=2#c3")).toEqual({ kind: "internal", path: "/projects/1/knowledge?source=2#c3" });
  });

  it("counts protocol-relative and backslash or tab tricks as external", () => {
    for (const href of ["//evil.example/x", "/\\evil.example/x", "/\t/evil.example/x", "\\\\evil.example", " //evil.example"]) {
      expect(linkTarget(href), JSON.stringify(href)).toMatchObject({ kind: "external", host: "evil.example" });
    }
  });

  it("shows the real host of an external link", () => {
    expect(linkTarget("https://bank.example.evil.example/login")).toEqual({ kind: "external", href: "https://bank.example.evil.example/login", host: "bank.example.evil.example" });
  });

  it("refuses script, data and page-relative links", () => {
    for (const href of ["javascript:alert(1)", "data:text/html,hi", "notes/2", "", null]) expect(linkTarget(href).kind).toBe("unsafe");
  });

  it("knows when the words are the address", () => {
    const target = { href: "https://example.org/", host: "example.org" };
    expect(textShowsTarget("https://example.org", target)).toBe(true);
    expect(textShowsTarget("example.org", target)).toBe(true);
    expect(textShowsTarget("https://bank.example", target)).toBe(false);
  });
});
