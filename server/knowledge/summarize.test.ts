import { describe, expect, it } from "vitest";
import { summarize } from "./summarize";

describe("summarize", () => {
  it("takes the opening sentences, skipping headings", () => {
    const text = "# Orchard notes\n\nApples ripen in autumn. Pears follow a little later! Plums? They come first.\n\nMore text here.";
    expect(summarize(text)).toBe("Apples ripen in autumn. Pears follow a little later! Plums? They come first. More text here.");
  });

  it("stops near 320 characters on a word boundary", () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence ${i} is about the orchard and its trees`).join(" ");
    const summary = summarize(text);
    expect(summary.length).toBeLessThanOrEqual(320);
    expect(summary.endsWith("…")).toBe(true);
    expect(summary).toMatch(/^Sentence 0 is about/);
  });

  it("stays linear on text without sentence punctuation (a large CSV paste)", () => {
    // The old sentence regex backtracked from every position to the end: 40k characters took ~9 s here, 60k ~20 s.
    const csv = Array.from({ length: 2_000 }, (_, i) => `row${i},${i * 3},north,west`).join("\n");
    expect(csv.length).toBeGreaterThan(40_000);
    const started = performance.now();
    const summary = summarize(csv);
    expect(performance.now() - started).toBeLessThan(500);
    expect(summary).toMatch(/^row0,0,north,west row1,3/);
    expect(summary.length).toBeLessThanOrEqual(320);
  });

  it("summarises a 2-million-character paste in a moment", () => {
    const csv = "name,count,region\n" + "orchard,12,north\n".repeat(120_000);
    expect(csv.length).toBeGreaterThan(2_000_000);
    const started = performance.now();
    expect(summarize(csv)).toMatch(/^name,count,region orchard,12,north/);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
