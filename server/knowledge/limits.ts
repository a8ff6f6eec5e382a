import "server-only";
import { MB } from "@/lib/bytes";

/** Per-file cap, 25 MB (docs/knowledge.md). The project quota lives on projects.storage_quota_bytes. */
export const FILE_CAP_BYTES = 25 * MB;
/** Pasted text is small by nature; anything bigger should be uploaded as a file. */
export const PASTE_CAP_CHARS = 2_000_000;
/** Extracted text kept for one source; a 25 MB PDF rarely yields more, and the viewer must stay usable. */
export const EXTRACTED_CAP_CHARS = 5_000_000;
/**
 * Reading a source (extract, chunk, summarise) runs in a worker thread with
 * these limits (server/knowledge/isolated-read.ts): past them the worker is
 * stopped and the source fails with a reason, while the app keeps serving.
 */
export const READ_TIME_LIMIT_MS = 60_000;
export const READ_MEMORY_LIMIT_MB = 512;
/** A .docx is a zip: what its entries declare they unpack to, checked before anything is inflated. */
export const DOCX_UNPACKED_CAP_BYTES = 256 * MB;
export const DOCX_MAX_ENTRIES = 5_000;
/** Pages read from one PDF, and the time pdf.js may take over them (the worker's own limit is the backstop). */
export const PDF_PAGE_CAP = 2_000;
export const PDF_TIME_LIMIT_MS = 45_000;
/** Workers give a source up after this many claims without finishing (it probably crashes the process). */
export const MAX_ATTEMPTS = 3;
/** How long one worker holds a claimed source before another may take it over. */
export const LEASE_SECONDS = 300;

export const ACCEPTED_EXTENSIONS = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".json"] as const;

