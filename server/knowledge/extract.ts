import "server-only";
import { decodeText } from "./decode-text";
import { extractDocx } from "./extract-docx";
import { extractHtml } from "./extract-html";
import { extractPdf } from "./extract-pdf";
import { ExtractionError } from "./extraction-error";
import { EXTRACTED_CAP_CHARS } from "./limits";
import { kindOf } from "./media-type";

/** How the chunker should read the text: markdown headings, or rows of a table. */
export type TextFormat = "markdown" | "csv" | "plain";
export type Extracted = { text: string; format: TextFormat };

/** Bytes of a source → the text that is indexed and shown in the viewer. Throws ExtractionError with a plain reason. */
export async function extractText(bytes: Uint8Array, mediaType: string): Promise<Extracted> {
  if (bytes.length === 0) throw new ExtractionError("This file is empty.");
  const kind = kindOf(mediaType);
  let extracted: Extracted;
  switch (kind) {
    case "pdf":
      extracted = { text: await extractPdf(bytes), format: "plain" };
      break;
    case "docx":
      extracted = { text: await extractDocx(bytes), format: "markdown" };
      break;
    case "html":
      extracted = { text: extractHtml(decodeText(bytes, "HTML file")), format: "markdown" };
      break;
    case "markdown":
      extracted = { text: decodeText(bytes, "Markdown file"), format: "markdown" };
      break;
    case "csv":
      extracted = { text: decodeText(bytes, "CSV file"), format: "csv" };
      break;
    case "json":
      extracted = { text: prettyJson(decodeText(bytes, "JSON file")), format: "plain" };
      break;
    case "text":
      extracted = { text: decodeText(bytes, "text file"), format: "plain" };
      break;
    default:
      throw new ExtractionError(`Files of type ${mediaType} cannot be read. Upload .txt .md .html .pdf .docx .csv or .json.`);
  }
  const text = extracted.text.replace(/\u0000/g, "").trim();
  if (!text) throw new ExtractionError("No text could be found in this file.");
  if (text.length > EXTRACTED_CAP_CHARS) {
    throw new ExtractionError(
      `This file holds ${text.length.toLocaleString("en")} characters of text; the limit is ${EXTRACTED_CAP_CHARS.toLocaleString("en")}. Split it into smaller files.`,
    );
  }
  return { ...extracted, text };
}

function prettyJson(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch (error) {
    const detail = error instanceof SyntaxError ? ` (${error.message})` : "";
    throw new ExtractionError(`This .json file is not valid JSON${detail}.`);
  }
}
