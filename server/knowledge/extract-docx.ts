import "server-only";
import { unzipSync } from "fflate";
import mammoth from "mammoth";
import { formatBytes } from "@/lib/bytes";
import { extractHtml } from "./extract-html";
import { ExtractionError } from "./extraction-error";
import { DOCX_MAX_ENTRIES, DOCX_UNPACKED_CAP_BYTES } from "./limits";

/** DOCX via mammoth (maintained Word parser) → semantic HTML → text with headings kept. */
export async function extractDocx(bytes: Uint8Array): Promise<string> {
  const zipMagic = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!zipMagic) throw new ExtractionError("This file is not a Word document (.docx). It may be damaged, renamed, or an old .doc file.");
  assertUnpackedSizeFits(bytes);
  let html: string;
  try {
    const result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
    html = result.value;
  } catch {
    throw new ExtractionError("This Word document is damaged or not a .docx file, so its text could not be read.");
  }
  const text = extractHtml(html);
  if (!text.trim()) throw new ExtractionError("This Word document has no text.");
  return text;
}

/**
 * A few kilobytes of zip can inflate to gigabytes (a zip bomb). The central
 * directory says what each entry unpacks to; fflate reads it without
 * inflating anything (the filter declines every entry). An entry that lies
 * about its size still meets the reading worker's memory limit.
 */
export function assertUnpackedSizeFits(bytes: Uint8Array): void {
  let unpacked = 0;
  let entries = 0;
  try {
    unzipSync(bytes, {
      filter(entry) {
        entries += 1;
        unpacked += entry.originalSize;
        return false;
      },
    });
  } catch {
    throw new ExtractionError("This Word document is damaged or not a .docx file, so its text could not be read.");
  }
  if (entries > DOCX_MAX_ENTRIES) {
    throw new ExtractionError(`This Word document holds ${entries.toLocaleString("en")} parts; a real one has a few dozen. It was not opened.`);
  }
  if (unpacked > DOCX_UNPACKED_CAP_BYTES) {
    throw new ExtractionError(
      `This Word document unpacks to ${formatBytes(unpacked)}, more than the ${formatBytes(DOCX_UNPACKED_CAP_BYTES)} Arbor reads. It was not opened; save it again without embedded media, or split it.`,
    );
  }
}
