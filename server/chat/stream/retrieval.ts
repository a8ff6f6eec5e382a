import "server-only";
import type { Db } from "@/db/client";
import { type RetrievedChunk, retrieveChunks } from "@/server/knowledge/retrieve";

const RETRIEVAL_LIMIT = 6;

export type Retrieval = { chunks: RetrievedChunk[]; error: string | null; ms: number };

/**
 * The vault's evidence for a question. Never rejects: a failed search is kept
 * for the trace and the answer goes on without sources. A project without
 * ready sources has nothing to find, so it costs no query. `sourceIds` is an
 * agent's scope (null = the whole vault).
 */
export async function retrieveForTurn(
  db: Db,
  { projectId, question, hasSources, sourceIds = null }: { projectId: string; question: string; hasSources: boolean; sourceIds?: string[] | null },
): Promise<Retrieval> {
  if (!hasSources || sourceIds?.length === 0) return { chunks: [], error: null, ms: 0 };
  const started = Date.now();
  try {
    return { chunks: await retrieveChunks(db, { projectId, query: question, limit: RETRIEVAL_LIMIT, sourceIds }), error: null, ms: Date.now() - started };
  } catch (error) {
    return { chunks: [], error: error instanceof Error ? error.message : String(error), ms: Date.now() - started };
  }
}
