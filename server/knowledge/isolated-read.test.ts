import { describe, expect, it } from "vitest";
import { makeDocx } from "@/testing/documents/make-docx";
import { makePdf } from "@/testing/documents/make-pdf";
import { extractText } from "./extract";
import { readSourceIsolated } from "./isolated-read";
import { KIND_MEDIA_TYPE } from "./media-type";

/** A real .docx whose zip directory claims its document unpacks to ~4 GB (what a zip bomb's directory says). */
async function docxClaimingGigabytes(): Promise<Uint8Array> {
  const docx = new Uint8Array(await makeDocx([{ text: "Small words, big claims." }]));
  const view = new DataView(docx.buffer, docx.byteOffset, docx.byteLength);
  let patched = 0;
  for (let at = 0; at + 46 <= docx.length; at++) {
    // central directory file header: signature, then the uncompressed size at +24
    if (view.getUint32(at, true) === 0x02014b50) {
      view.setUint32(at + 24, 0xf0000000, true);
      patched++;
    }
  }
  expect(patched).toBeGreaterThan(0);
  return docx;
}

describe("reading a source in a worker thread", () => {
  it("reads, chunks and summarises off the main thread", async () => {
    const pdf = makePdf([["Mason bees pollinate fruit blossom early in spring.", "Leave hollow stems standing."]]);
    const read = await readSourceIsolated(pdf, KIND_MEDIA_TYPE.pdf);
    expect(read.text).toContain("Mason bees pollinate");
    expect(read.drafts.length).toBe(1);
    expect(read.summary).toMatch(/^Mason bees pollinate/);
    expect(read.keywords).toContain("pollinate");
  });

  it("refuses a DOCX whose zip says it unpacks past the cap, before inflating anything", async () => {
    const bomb = await docxClaimingGigabytes();
    await expect(extractText(bomb, KIND_MEDIA_TYPE.docx)).rejects.toThrow(/unpacks to \d+\.\d+ GB, more than the 256\.0 MB Arbor reads/);
  });

  it("stops a worker that needs more memory than allowed, with a reason, and the next file reads fine", async () => {
    // ~12 MB of JSON parses into far more than 32 MB of objects
    const json = new TextEncoder().encode(JSON.stringify(Array.from({ length: 400_000 }, (_, i) => ({ row: i, name: `item ${i}`, tags: ["a", "b"] }))));
    await expect(readSourceIsolated(json, KIND_MEDIA_TYPE.json, { memoryMb: 32, timeMs: 60_000 })).rejects.toThrow(/needed more than 32 MB of memory/);
    const next = await readSourceIsolated(new TextEncoder().encode("Still reading after that."), KIND_MEDIA_TYPE.text, { memoryMb: 32, timeMs: 60_000 });
    expect(next.text).toBe("Still reading after that.");
  });

  it("stops a worker that takes longer than its time, with a reason", async () => {
    await expect(readSourceIsolated(new TextEncoder().encode("a".repeat(1000)), KIND_MEDIA_TYPE.text, { memoryMb: 256, timeMs: 1 })).rejects.toThrow(/took longer than 0 seconds|took longer than/);
  });

  it("caps the pages of a PDF", async () => {
    const pdf = makePdf([["One"], ["Two"], ["Three"]]);
    const { extractPdf } = await import("./extract-pdf");
    await expect(extractPdf(pdf, { pageCap: 2 })).rejects.toThrow(/has 3 pages; Arbor reads at most 2/);
    await expect(extractPdf(pdf, { timeLimitMs: -1 })).rejects.toThrow(/took longer than/);
  });
});
