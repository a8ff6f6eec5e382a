import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk";

const sentence = (i: number) => `Sentence number ${i} talks about the orchard and its many trees in some detail.`;
const paragraph = (from: number, n: number) => Array.from({ length: n }, (_, i) => sentence(from + i)).join(" ");

describe("chunkText", () => {
  it("keeps offsets exact and sizes within ~300–500 tokens", () => {
    const text = Array.from({ length: 30 }, (_, p) => paragraph(p * 6, 6)).join("\n\n");
    const chunks = chunkText(text, "plain");
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) {
      expect(text.slice(c.startOffset, c.endOffset)).toBe(c.text);
      expect(c.tokenCount).toBeLessThanOrEqual(500);
    }
    for (const c of chunks.slice(0, -1)) expect(c.tokenCount).toBeGreaterThanOrEqual(300);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
  });

  it("overlaps consecutive prose chunks by a sentence or so, and covers all the text", () => {
    const text = Array.from({ length: 20 }, (_, p) => paragraph(p * 6, 6)).join("\n\n");
    const chunks = chunkText(text, "plain");
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1];
      const cur = chunks[i];
      if (!prev || !cur) continue;
      expect(cur.startOffset).toBeLessThan(prev.endOffset);
      expect(prev.endOffset - cur.startOffset).toBeLessThanOrEqual(200);
      expect(cur.text).toMatch(/^Sentence number \d+/);
    }
    expect(chunks[0]?.startOffset).toBe(0);
    expect(chunks.at(-1)?.endOffset).toBe(text.length);
  });

  it("starts a new chunk at a markdown heading and records the heading path", () => {
    const text = `# Garden\n\n${paragraph(0, 8)}\n\n## Compost\n\n${paragraph(100, 8)}\n\n## Tiny\n\nShort.\n\n## Bees\n\n${paragraph(200, 3)}`;
    const chunks = chunkText(text, "markdown");
    expect(chunks.map((c) => c.heading)).toEqual(["Garden", "Garden › Compost", "Garden › Tiny"]);
    expect(chunks[1]?.text.startsWith("## Compost")).toBe(true);
    // a section too small to stand alone merges with the next one
    expect(chunks[2]?.text).toContain("## Bees");
  });

  it("splits one huge paragraph at sentence ends", () => {
    const text = paragraph(0, 100);
    const chunks = chunkText(text, "plain");
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.tokenCount).toBeLessThanOrEqual(500);
      expect(c.text.endsWith(".")).toBe(true);
    }
  });

  it("groups CSV rows under the header row without overlap", () => {
    const rows = Array.from({ length: 200 }, (_, i) => `${i},Variety ${i},Orchard row ${i % 7},planted in spring`);
    const text = ["id,name,location,notes", ...rows].join("\n");
    const chunks = chunkText(text, "csv");
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.heading).toBe("id,name,location,notes");
      expect(c.text.split("\n").every((line) => line.split(",").length === 4)).toBe(true);
    }
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]?.startOffset).toBeGreaterThan(chunks[i - 1]?.endOffset ?? 0);
  });

  it("handles tiny and unbroken text", () => {
    expect(chunkText("Just one line.", "plain")).toEqual([
      { ordinal: 0, heading: null, text: "Just one line.", tokenCount: 4, startOffset: 0, endOffset: 14 },
    ]);
    const blob = "x".repeat(5_000);
    const chunks = chunkText(blob, "plain");
    expect(chunks.map((c) => c.text).join("")).toBe(blob);
  });
});
