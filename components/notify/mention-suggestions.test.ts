import { describe, expect, it } from "vitest";
import { insertMention, mentionPrefix } from "./mention-suggestions";

describe("mention autocomplete", () => {
  it("finds the @word being typed and writes the member's address in its place", () => {
    expect(mentionPrefix("Thanks @an")).toBe("an");
    expect(mentionPrefix("@")).toBe("");
    expect(mentionPrefix("mail a@b.c")).toBeNull();
    expect(mentionPrefix("done @ana ")).toBeNull();
    expect(insertMention("Thanks @an", "ana@example.com")).toBe("Thanks @ana@example.com ");
  });
});
