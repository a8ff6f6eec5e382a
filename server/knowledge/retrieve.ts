import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";

export type RetrievedChunk = {
  chunkId: string;
  sourceId: string;
  sourceTitle: string;
  ordinal: number;
  heading: string | null;
  text: string;
  relevance: number /* 0..1, normalised */;
};

/**
 * Words that frame a question rather than name its subject. Postgres' english
 * configuration already drops true stop words ("what", "does", "the"); these
 * survive it but would make an AND query miss ("what does the vault say about
 * compost" → 'vault' & 'say' & 'compost'). Dropped only in the OR fallback.
 */
const QUESTION_WORDS = new Set(
  "vault knowledge document documents doc docs file files source sources say says said tell tells know mention mentions mentioned explain explains describe describes please anything something info information about regarding".split(
    " ",
  ),
);

const MAX_QUERY_CHARS = 1_000;
const MAX_CANDIDATES = 10_000;

/**
 * Full-text retrieval over a project's ready sources.
 *
 * Relevance is an absolute 0..1 score, not relative to the best hit, so the
 * chat's "auto" policy can treat a low top score as low confidence:
 *   relevance = coverage × (0.5 + 0.5 × rank / (rank + 0.1))
 * where coverage is the share of the query's lexemes present in the chunk and
 * rank is ts_rank_cd (0.1 per isolated occurrence, more for dense covers). A
 * chunk containing every query term once scores ≈ 0.75; denser ones approach 1;
 * a chunk with half the terms scores at most 0.5.
 *
 * First the query is parsed with websearch_to_tsquery (quotes, "or", "-word"
 * work as on a search engine). If that finds nothing — typically a
 * natural-language question whose framing words no chunk contains — it falls
 * back to an OR of the question's significant words.
 */
export async function retrieveChunks(
  db: Db,
  args: { projectId: string; query: string; limit?: number; sourceIds?: string[] | null },
): Promise<RetrievedChunk[]> {
  const limit = Math.max(1, Math.min(args.limit ?? 8, 50));
  const query = args.query.slice(0, MAX_QUERY_CHARS).trim();
  if (!query) return [];

  const scope = args.sourceIds ?? null;
  const strict = await search(db, args.projectId, query, limit, scope);
  if (strict.length > 0) return strict;

  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 1);
  const significant = words.filter((w) => !QUESTION_WORDS.has(w));
  const terms = [...new Set(significant.length > 0 ? significant : words)];
  if (terms.length === 0) return [];
  // Only letters and digits survive the match above, so the websearch syntax cannot be injected.
  return search(db, args.projectId, terms.join(" or "), limit, scope);
}

type Row = {
  chunk_id: string;
  source_id: string;
  source_title: string;
  ordinal: number;
  heading: string | null;
  text: string;
  rank: number;
  matched: number;
};

/** `scope`: only these sources (an agent's knowledge); null = every ready source of the project. */
async function search(db: Db, projectId: string, websearch: string, limit: number, scope: string[] | null): Promise<RetrievedChunk[]> {
  const [parsed] = await queryRows<{ q: string }>(db, sql`select websearch_to_tsquery('english', ${websearch})::text as q`);
  const lexemes = positiveLexemes(parsed?.q ?? "");
  if (lexemes.length === 0) return [];

  // Rank a few more than asked for by ts_rank_cd, then order by the combined relevance.
  const rows = await queryRows<Row>(
    db,
    sql`
      with q as (select websearch_to_tsquery('english', ${websearch}) as tsq),
      -- Materialised so the planner always starts from the GIN index on tsv, whatever it believes about sources.
      -- At most MAX_CANDIDATES matches are ranked: reading every tsvector of a word found in most of a huge
      -- vault costs more than the ranking among so unspecific matches is worth (vaults below it are unaffected).
      matches as materialized (
        select c.id, c.source_id, c.ordinal, ts_rank_cd(c.tsv, q.tsq) as rank
        from (
          select c.id, c.source_id, c.ordinal, c.tsv from chunks c cross join q
          where c.project_id = ${projectId} and c.tsv @@ q.tsq
            and (${scope === null}::boolean or c.source_id in (select jsonb_array_elements_text(${JSON.stringify(scope ?? [])}::jsonb)::uuid))
          limit ${MAX_CANDIDATES}
        ) c cross join q
      ),
      hits as (
        select m.id, m.source_id, m.ordinal, m.rank
        from matches m
        join sources s on s.id = m.source_id and s.status = 'ready'
        order by m.rank desc, m.ordinal
        limit ${limit * 3}
      )
      select h.id as chunk_id, h.source_id, s.title as source_title, h.ordinal, c.heading, c.text,
        h.rank::float8 as rank,
        (select count(*) from unnest(tsvector_to_array(c.tsv)) as t(lexeme)
          where t.lexeme = any(array(select jsonb_array_elements_text(${JSON.stringify(lexemes)}::jsonb))))::int as matched
      from hits h join sources s on s.id = h.source_id join chunks c on c.id = h.id
    `,
  );

  return rows
    .map((r) => {
      const rank = Number(r.rank);
      const coverage = Math.min(1, Number(r.matched) / lexemes.length);
      const relevance = coverage * (0.5 + (0.5 * rank) / (rank + 0.1));
      return {
        chunkId: r.chunk_id,
        sourceId: r.source_id,
        sourceTitle: r.source_title,
        ordinal: Number(r.ordinal),
        heading: r.heading,
        text: r.text,
        relevance: Math.round(Math.min(1, Math.max(0, relevance)) * 1000) / 1000,
        rank,
      };
    })
    .sort((a, b) => b.relevance - a.relevance || b.rank - a.rank || a.ordinal - b.ordinal)
    .slice(0, limit)
    .map(({ rank: _rank, ...chunk }) => chunk);
}

/** The lexemes of a tsquery's text form ('a' & !'b' <-> 'c'), without negated ones. */
export function positiveLexemes(tsquery: string): string[] {
  const found = new Set<string>();
  for (const match of tsquery.matchAll(/(!?)\s*'((?:[^']|'')+)'/g)) {
    const [, negated, lexeme] = match;
    if (!negated && lexeme) found.add(lexeme.replaceAll("''", "'"));
  }
  return [...found];
}
