import "server-only";
import { AppError } from "@/server/errors";
import { ACCEPTED_EXTENSIONS } from "./limits";

export type Kind = "text" | "markdown" | "html" | "pdf" | "docx" | "csv" | "json";

export const KIND_MEDIA_TYPE: Record<Kind, string> = {
  text: "text/plain",
  markdown: "text/markdown",
  html: "text/html",
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  csv: "text/csv",
  json: "application/json",
};

const BY_EXTENSION: Record<string, Kind> = {
  ".txt": "text",
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".pdf": "pdf",
  ".docx": "docx",
  ".csv": "csv",
  ".json": "json",
};

/** Media type for a stored source, decided by the file's extension (what the person chose to upload). */
export function mediaTypeForFilename(filename: string): string {
  const dot = filename.lastIndexOf(".");
  const kind = dot >= 0 ? BY_EXTENSION[filename.slice(dot).toLowerCase()] : undefined;
  if (!kind) {
    throw new AppError(
      "bad_request:file_type",
      `“${filename}” is not a supported file type. Upload ${ACCEPTED_EXTENSIONS.join(" ")} files, or paste the text.`,
    );
  }
  return KIND_MEDIA_TYPE[kind];
}

/** Kind for a media type, ignoring parameters (charset). Also accepts what web servers send for URLs. */
export function kindOf(mediaType: string): Kind | null {
  const base = mediaType.split(";")[0]?.trim().toLowerCase() ?? "";
  for (const [kind, type] of Object.entries(KIND_MEDIA_TYPE) as [Kind, string][]) if (type === base) return kind;
  if (base === "application/xhtml+xml") return "html";
  if (base === "text/x-markdown") return "markdown";
  if (base === "text/x-csv" || base === "application/csv") return "csv";
  if (base.endsWith("+json")) return "json";
  return null;
}
