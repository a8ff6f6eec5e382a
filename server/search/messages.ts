import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type SnippetPart, snippetParts } from "@/server/knowledge/search";

/** Ranking more matches than this costs more than ordering so unspecific ones is worth (docs/search.md). */
const MAX_CANDIDATES = 2_000;
const MAX_QUERY_CHARS = 500;

export type MessageHit = {
  messageId: string;
  chatId: string;
  chatTitle: string;
  projectId: string;
  projectTitle: string;
  /** the branch the result opens in (null: no branch holds it, the chat opens at the message) */
  branchId: string | null;
  /** the chat's background summary ("" until the summariser has run) */
  chatSummary: string;
  /** branch titles from the chat's first branch down to `branchId`, e.g. ["Main", "Try Opus"] */
  branchPath: string[];
  role: "user" | "assistant";
  snippet: SnippetPart[];
  createdAt: Date;
};

/** Mark with characters that cannot survive in the snippet otherwise: they are stripped from the text first. */
const MARKS = "StartSel=\u0002, StopSel=\u0003";
const FRAGMENTS = `${MARKS}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
/** A message this short is shown whole (ts_headline's fragments would drop its edges and punctuation). */
const WHOLE_CHARS = 280;

/**
 * Full-text search over every message the person can read: every chat of every
 * project they are a member of (any role), or of one project when `projectId`
 * is given — the caller has checked that membership; the `where` checks it
 * again, so a foreign project simply finds nothing.
 *
 * Ranked by ts_rank_cd, newer first among equals; highlighted by ts_headline;
 * each hit names the branch it opens in (the active, most recently moved one
 * that holds it — `getThread`'s own choice for `?message=`) and that branch's
 * path of titles.
 */
export async function searchMessages(
  db: Db,
  { userId, projectId, query, limit = 20 }: { userId: string; projectId?: string; query: string; limit?: number },
): Promise<MessageHit[]> {
  const text = query.slice(0, MAX_QUERY_CHARS).trim();
  if (!text) return [];
  const take = Math.max(1, Math.min(limit, 50));
  const scope = projectId ? sql`and pm.project_id = ${projectId}` : sql``;
  const rows = await queryRows<{
    message_id: string;
    chat_id: string;
    chat_title: string;
    chat_summary: string | null;
    project_id: string;
    project_title: string;
    role: "user" | "assistant";
    headline: string;
    created_at: string | Date;
  }>(
    db,
    sql`
      with q as (select websearch_to_tsquery('english', ${text}) as tsq),
      readable as (select pm.project_id from project_members pm where pm.user_id = ${userId} ${scope}),
      -- Materialised so the planner starts from the GIN index, whatever it believes about membership.
      matches as materialized (
        select s.message_id, s.created_at, ts_rank_cd(s.tsv, q.tsq) as rank
        from (
          select s.message_id, s.created_at, s.tsv from message_search s cross join q
          where s.tsv @@ q.tsq and s.project_id in (select project_id from readable)
          limit ${MAX_CANDIDATES}
        ) s cross join q
      ),
      top as (select message_id, rank, created_at from matches order by rank desc, created_at desc limit ${take})
      select m.id as message_id, m.chat_id, c.title as chat_title, cs.summary as chat_summary, c.project_id, p.title as project_title, m.role,
        case when length(m.content) <= ${WHOLE_CHARS}
          then ts_headline('english', translate(m.content, E'\\x02\\x03', ''), q.tsq, ${`${MARKS}, HighlightAll=true`})
          else ts_headline('english', translate(m.content, E'\\x02\\x03', ''), q.tsq, ${FRAGMENTS}) end as headline,
        m.created_at
      from top t
      join messages m on m.id = t.message_id and m.deleted_at is null
      join chats c on c.id = m.chat_id and c.trash_id is null
      join projects p on p.id = c.project_id
      left join chat_summaries cs on cs.chat_id = c.id
      cross join q
      order by t.rank desc, t.created_at desc`,
  );
  if (rows.length === 0) return [];
  const placed = await branchesFor(db, rows.map((r) => ({ messageId: r.message_id, chatId: r.chat_id })));
  return rows.map((r) => {
    const where = placed.get(r.message_id);
    return {
      messageId: r.message_id,
      chatId: r.chat_id,
      chatTitle: r.chat_title,
      chatSummary: r.chat_summary ?? "",
      projectId: r.project_id,
      projectTitle: r.project_title,
      branchId: where?.branchId ?? null,
      branchPath: where?.path ?? [],
      role: r.role,
      snippet: snippetParts(r.headline),
      createdAt: new Date(r.created_at),
    };
  });
}

/**
 * For each hit, the branch it opens in: walk each candidate branch's tip up to
 * the root once (branches of the hits' chats only) and keep, per message, the
 * preferred branch whose path passes through it. Walking up is bounded by the
 * depth of the tree, where walking a hit's subtree down is bounded by its size.
 */
async function branchesFor(db: Db, hits: { messageId: string; chatId: string }[]) {
  const chatIds = [...new Set(hits.map((h) => h.chatId))];
  const hitIds = hits.map((h) => h.messageId);
  const branchRows = await queryRows<{ id: string; parent_branch_id: string | null; title: string; chat_id: string }>(
    db,
    sql`select id, parent_branch_id, title, chat_id from branches
        where chat_id in (select jsonb_array_elements_text(${JSON.stringify(chatIds)}::jsonb)::uuid)`,
  );
  const holding = await queryRows<{ message_id: string; branch_id: string }>(
    db,
    sql`with recursive up(branch_id, chat_id, id, parent_id) as (
          select b.id, b.chat_id, m.id, m.parent_id from branches b join messages m on m.id = b.tip_message_id and m.trash_id is null
          where b.chat_id in (select jsonb_array_elements_text(${JSON.stringify(chatIds)}::jsonb)::uuid)
          union all
          select up.branch_id, up.chat_id, p.id, p.parent_id from up
          cross join lateral (select id, parent_id from messages where id = up.parent_id and chat_id = up.chat_id) p
        )
        select distinct on (up.id) up.id as message_id, up.branch_id
        from up join branches b on b.id = up.branch_id
        where up.id in (select jsonb_array_elements_text(${JSON.stringify(hitIds)}::jsonb)::uuid)
        order by up.id, (b.status = 'active') desc, b.updated_at desc`,
  );
  const byId = new Map(branchRows.map((b) => [b.id, b]));
  const pathOf = (branchId: string) => {
    const titles: string[] = [];
    const seen = new Set<string>();
    for (let b = byId.get(branchId); b && !seen.has(b.id); b = b.parent_branch_id ? byId.get(b.parent_branch_id) : undefined) {
      seen.add(b.id);
      titles.unshift(b.title);
    }
    return titles;
  };
  return new Map(holding.map((h) => [h.message_id, { branchId: h.branch_id, path: pathOf(h.branch_id) }]));
}
