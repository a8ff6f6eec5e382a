import "server-only";
import { type ChunkDraft, chunkText } from "./chunk";
import { type TextFormat, extractText } from "./extract";
import { keywords, summarize } from "./summarize";

/** Everything processing needs from a source's bytes, computed away from the web process's event loop. */
export type ReadSource = { text: string; format: TextFormat; drafts: ChunkDraft[]; summary: string; keywords: string[] };

/** Extract, chunk and summarise: the CPU- and memory-heavy part of processing, run inside the reading worker. */
export async function readSource(bytes: Uint8Array, mediaType: string): Promise<ReadSource> {
  const extracted = await extractText(bytes, mediaType);
  return {
    text: extracted.text,
    format: extracted.format,
    drafts: chunkText(extracted.text, extracted.format),
    summary: summarize(extracted.text),
    keywords: keywords(extracted.text),
  };
}
