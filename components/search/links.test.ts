import { describe, expect, it } from "vitest";
import { messageHref, projectOfPath, searchPageHref } from "./links";

const P = "11111111-1111-4111-8111-111111111111";
const C = "22222222-2222-4222-8222-222222222222";

describe("search links", () => {
  it("opens a message in its branch, or at the message when no branch holds it", () => {
    expect(messageHref({ projectId: P, chatId: C, branchId: "b", messageId: "m" })).toBe(`/projects/${P}/chat/${C}?branch=b&message=m`);
    expect(messageHref({ projectId: P, chatId: C, branchId: null, messageId: "m" })).toBe(`/projects/${P}/chat/${C}?message=m`);
  });

  it("knows the project of a path and builds the search page's address", () => {
    expect(projectOfPath(`/projects/${P}/chat/${C}`)).toBe(P);
    expect(projectOfPath(`/projects/${P}`)).toBe(P);
    expect(projectOfPath("/dashboard")).toBeNull();
    expect(projectOfPath(`/projects/${P}x`)).toBeNull();
    expect(searchPageHref("a & b", P)).toBe(`/search?q=a+%26+b&project=${P}`);
    expect(searchPageHref("x", null)).toBe("/search?q=x");
  });
});
