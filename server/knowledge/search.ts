import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type RetrievedChunk, retrieveChunks } from "./retrieve";

// Control characters cannot occur in extracted text (decodeText refuses them), so they mark highlights unambiguously.
const MARK_START = "\u0002";
const MARK_END = "\u0003";

/** A snippet as text pieces, so the UI renders highlights as elements, never as HTML from the server. */
export type SnippetPart = { text: string; highlight: boolean };
export type SearchHit = RetrievedChunk & { snippet: SnippetPart[] };

export function snippetParts(headline: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  for (const [i, piece] of headline.split(MARK_START).entries()) {
    if (i === 0) {
      if (piece) parts.push({ text: piece, highlight: false });
      continue;
    }
    const [marked = "", rest = ""] = piece.split(MARK_END);
    if (marked) parts.push({ text: marked, highlight: true });
    if (rest) parts.push({ text: rest, highlight: false });
  }
  return parts;
}

/** The Knowledge tab's search: the same engine as chat retrieval, plus ts_headline snippets. */
export async function searchVault(db: Db, args: { projectId: string; query: string; limit?: number }): Promise<SearchHit[]> {
  const hits = await retrieveChunks(db, { projectId: args.projectId, query: args.query, limit: args.limit ?? 20 });
  if (hits.length === 0) return [];
  // Highlight every word of the query (not only those of the strict match), minus "-excluded" ones.
  const words = args.query
    .slice(0, 1_000)
    .split(/\s+/)
    .filter((w) => !w.startsWith("-"))
    .flatMap((w) => w.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const terms = [...new Set(words)].join(" or ");
  const rows = await queryRows<{ id: string; snippet: string }>(
    db,
    sql`select c.id, ts_headline('english', c.text, websearch_to_tsquery('english', ${terms}),
          ${`StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`}) as snippet
        from chunks c
        where c.project_id = ${args.projectId}
          and c.id in (select (jsonb_array_elements_text(${JSON.stringify(hits.map((h) => h.chunkId))}::jsonb))::uuid)`,
  );
  const snippets = new Map(rows.map((r) => [r.id, r.snippet]));
  return hits.map((h) => ({ ...h, snippet: snippetParts(snippets.get(h.chunkId) ?? h.text.slice(0, 240)) }));
}
