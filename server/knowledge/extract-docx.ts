import "server-only";
import mammoth from "mammoth";
import { extractHtml } from "./extract-html";
import { ExtractionError } from "./extraction-error";

/** DOCX via mammoth (maintained Word parser) → semantic HTML → text with headings kept. */
export async function extractDocx(bytes: Uint8Array): Promise<string> {
  const zipMagic = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!zipMagic) throw new ExtractionError("This file is not a Word document (.docx). It may be damaged, renamed, or an old .doc file.");
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
