import "server-only";
import { ExtractionError } from "./extraction-error";

/**
 * Bytes → text for files that claim to be text. Binary content renamed to
 * .txt is refused: a NUL byte never occurs in real text, and a high share of
 * invalid UTF-8 sequences (decoded as U+FFFD) or control characters means it
 * is not UTF-8 text either.
 */
export function decodeText(bytes: Uint8Array, what = "file"): string {
  if (bytes.includes(0)) {
    throw new ExtractionError(`This ${what} contains binary data (NUL bytes), not text. Upload it in a supported format instead.`);
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/^\uFEFF/, "");
  if (text.length === 0) return text;
  let invalid = 0;
  let control = 0;
  for (const ch of text) {
    if (ch === "\uFFFD") invalid++;
    else if (/[\u0001-\u0008\u000E-\u001F\u007F]/.test(ch)) control++;
  }
  if ((invalid + control) / text.length > 0.02) {
    throw new ExtractionError(`This ${what} is not readable UTF-8 text (it looks binary). Save it as UTF-8 text and upload it again.`);
  }
  return text.replace(/\r\n?/g, "\n");
}
