import "server-only";
import { ExtractionError } from "./extraction-error";
import { PDF_PAGE_CAP, PDF_TIME_LIMIT_MS } from "./limits";

type TextItem = { str: string; hasEOL?: boolean };

/**
 * Text of a PDF through pdf.js (Mozilla's maintained parser). In Node the
 * legacy build runs its worker in-process (no separate worker thread), and
 * eval is disabled so a crafted font cannot run code. Pages and time are
 * capped; a single page that hangs pdf.js meets the reading worker's own limit.
 */
export async function extractPdf(bytes: Uint8Array, { pageCap = PDF_PAGE_CAP, timeLimitMs = PDF_TIME_LIMIT_MS } = {}): Promise<string> {
  const deadline = Date.now() + timeLimitMs;
  if (!isPdf(bytes)) throw new ExtractionError("This file is not a PDF (it does not start with %PDF). It may be damaged or renamed.");
  const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
  // pdf.js takes ownership of (detaches) the buffer it is given, so hand it a copy.
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (error) {
    await task.destroy().catch(() => undefined);
    const name = error instanceof Error ? error.name : "";
    if (name === "PasswordException") throw new ExtractionError("This PDF is password-protected. Remove the password and upload it again.");
    throw new ExtractionError("This PDF is damaged or not a valid PDF, so its text could not be read.");
  }
  try {
    if (doc.numPages > pageCap) {
      throw new ExtractionError(`This PDF has ${doc.numPages.toLocaleString("en")} pages; Arbor reads at most ${pageCap.toLocaleString("en")}. Split it into smaller files.`);
    }
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      if (Date.now() > deadline) {
        throw new ExtractionError(`Reading this PDF took longer than ${Math.round(timeLimitMs / 1000)} seconds (stopped at page ${n} of ${doc.numPages}). Split it, or paste its text.`);
      }
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = "";
      for (const item of content.items as TextItem[]) {
        if (typeof item.str !== "string") continue;
        text += item.str;
        if (item.hasEOL) text += "\n";
      }
      pages.push(text.replace(/[ \t]+\n/g, "\n").trim());
      page.cleanup();
    }
    const text = pages.filter(Boolean).join("\n\n");
    if (!text.trim()) {
      throw new ExtractionError("This PDF has no text layer (it may be scanned images). Run OCR on it first, or paste its text.");
    }
    return text;
  } catch (error) {
    if (error instanceof ExtractionError) throw error;
    throw new ExtractionError("This PDF is damaged, so its text could not be read completely.");
  } finally {
    await doc.destroy();
  }
}

function isPdf(bytes: Uint8Array): boolean {
  // The header may follow a little junk; pdf.js and Acrobat both allow ~1 KB.
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 1024));
  return head.includes("%PDF-");
}
