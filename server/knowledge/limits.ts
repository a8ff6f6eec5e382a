import "server-only";
import { MB } from "@/lib/bytes";

/** Per-file cap, 25 MB (docs/knowledge.md). The project quota lives on projects.storage_quota_bytes. */
export const FILE_CAP_BYTES = 25 * MB;
/** Pasted text is small by nature; anything bigger should be uploaded as a file. */
export const PASTE_CAP_CHARS = 2_000_000;
/** Extracted text kept for one source; a 25 MB PDF rarely yields more, and the viewer must stay usable. */
export const EXTRACTED_CAP_CHARS = 5_000_000;
/** Workers give a source up after this many claims without finishing (it probably crashes the process). */
export const MAX_ATTEMPTS = 3;
/** How long one worker holds a claimed source before another may take it over. */
export const LEASE_SECONDS = 300;

export const ACCEPTED_EXTENSIONS = [".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".csv", ".json"] as const;

