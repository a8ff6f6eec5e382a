import "server-only";
import { and, asc, eq, gt, inArray, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { queryRows } from "@/db/client";
import { branches, canvasEdges, canvasNodes, chatSummaries, chats, comments, messageCitations, messages, sources } from "@/db/schema";
import type { BranchStatus, EdgeStyle } from "@/db/schema";
import { AppError } from "@/server/errors";

/**
 * The whole board of a project in one round of queries: every message of every
 * chat (a short preview only — the full text is fetched on hover), branches,
 * ready sources, notes, citation and people's edges, comment counts, stored
 * positions. Chat tables are read directly; the chat area owns writes to them.
 */

/** A node shows two lines (about 80 characters); the hover preview fetches the whole text. */
export const PREVIEW_CHARS = 120;

/** `summary` and `keywords` come from the background summariser (server/summaries/keep-current.ts); null until it ran. */
export type BoardChat = { id: string; title: string; createdAt: Date; updatedAt: Date; summary?: string | null; keywords?: string[] | null };
export type BoardMessage = {
  id: string;
  chatId: string;
  parentId: string | null;
  /** a merge's second parent: the canvas draws the join from it too */
  mergeParentId: string | null;
  role: "user" | "assistant";
  preview: string;
  status: string;
  tier: "local" | "cloud" | null;
  model: string | null;
  /** the name of the agent that wrote it, as it was then (null = none) */
  agent: string | null;
  deleted: boolean;
  createdAt: Date;
};
export type BoardBranch = {
  id: string;
  chatId: string;
  title: string;
  tipMessageId: string | null;
  forkMessageId: string | null;
  parentBranchId: string | null;
  status: BranchStatus;
  createdAt: Date;
  updatedAt: Date;
};
export type BoardSource = { id: string; title: string; mediaType: string; summary: string | null };
export type BoardNote = { id: string; text: string; x: number; y: number; locked: boolean; style: Record<string, unknown>; deleted: boolean; updatedAt: Date };
export type BoardPosition = { key: string; x: number; y: number; locked: boolean; style: Record<string, unknown>; updatedAt: Date };
export type BoardCitation = { messageId: string; sourceId: string; relevance: number };
export type BoardEdge = {
  id: string;
  fromKey: string;
  toKey: string;
  label: string;
  style: EdgeStyle;
  authorId: string | null;
  deleted: boolean;
  updatedAt: Date;
};
export type CommentCount = { targetKey: string; total: number; open: number };

export type Board = {
  /** the database's clock when this was read; pass it to `canvas.changes` as `since` */
  cursor: Date;
  chats: BoardChat[];
  messages: BoardMessage[];
  branches: BoardBranch[];
  sources: BoardSource[];
  notes: BoardNote[];
  positions: BoardPosition[];
  citations: BoardCitation[];
  edges: BoardEdge[];
  commentCounts: CommentCount[];
};

export async function databaseNow(db: Db): Promise<Date> {
  const [row] = await queryRows<{ now: Date | string }>(db, sql`select clock_timestamp() as now`);
  return new Date(row?.now ?? Date.now());
}

export async function getBoard(db: Db, { projectId }: { projectId: string }): Promise<Board> {
  const cursor = await databaseNow(db);
  const [chatRows, messageRows, branchRows, sourceRows, nodeRows, citationRows, edgeRows, commentCounts] = await Promise.all([
    selectChats(db, { projectId }),
    selectMessages(db, { projectId }),
    selectBranches(db, { projectId }),
    selectReadySources(db, { projectId }),
    selectNodes(db, { projectId }),
    selectCitations(db, { projectId }),
    selectEdges(db, { projectId }),
    selectCommentCounts(db, { projectId }),
  ]);
  const { notes, positions } = splitNodes(nodeRows);
  return {
    cursor,
    chats: chatRows,
    messages: messageRows,
    branches: branchRows,
    sources: sourceRows,
    notes: notes.filter((n) => !n.deleted),
    positions,
    citations: citationRows,
    edges: edgeRows.filter((e) => !e.deleted),
    commentCounts,
  };
}

// ─── queries shared with changes.ts ───────────────────────────────────────────

export function selectChats(db: Db, { projectId }: { projectId: string }): Promise<BoardChat[]> {
  return db
    .select({ id: chats.id, title: chats.title, createdAt: chats.createdAt, updatedAt: chats.updatedAt, summary: chatSummaries.summary, keywords: chatSummaries.keywords })
    .from(chats)
    .leftJoin(chatSummaries, eq(chatSummaries.chatId, chats.id))
    .where(and(eq(chats.projectId, projectId), isNull(chats.trashId)))
    .orderBy(asc(chats.createdAt), asc(chats.id));
}

/**
 * A board's messages. One JSON value rather than 5,000 rows: drivers decode
 * rows field by field in JavaScript, and on PGlite that was most of a large
 * board's load time; one `json_agg` string parses natively in a few ms.
 */
export async function selectMessages(db: Db, { projectId, filter }: { projectId: string; filter?: SQL }): Promise<BoardMessage[]> {
  // what is in the trash is not on the board at all (a deleted message without a trash item keeps its place)
  const visible = and(eq(chats.projectId, projectId), isNull(messages.trashId));
  const where = filter ? and(visible, filter) : visible;
  // twice the preview: collapsing whitespace may shorten it; `long` says whether more was cut off
  const [row] = await queryRows<{ rows: string | null }>(
    db,
    sql`select json_agg(json_build_array(
          ${messages.id}, ${messages.chatId}, ${messages.parentId}, ${messages.role},
          left(${messages.content}, ${PREVIEW_CHARS * 2}), length(${messages.content}) > ${PREVIEW_CHARS * 2},
          ${messages.status}, ${messages.tier}, ${messages.model}, ${messages.deletedAt} is not null, ${messages.createdAt},
          ${messages.agentSnapshot}->>'name', ${messages.mergeParentId}
        ) order by ${messages.createdAt}, ${messages.id})::text as rows
        from ${messages} inner join ${chats} on ${chats.id} = ${messages.chatId}
        where ${where}`,
  );
  if (!row?.rows) return [];
  type Row = [string, string, string | null, BoardMessage["role"], string, boolean, string, BoardMessage["tier"], string | null, boolean, string, string | null, string | null];
  return (JSON.parse(row.rows) as Row[]).map(([id, chatId, parentId, role, preview, long, status, tier, model, deleted, createdAt, agent, mergeParentId]) => ({
    id,
    chatId,
    parentId,
    mergeParentId,
    role,
    // a deleted message keeps its place in the tree (its replies hang off it) but not its words
    preview: deleted ? "" : shorten(preview, long),
    status,
    tier,
    model,
    agent,
    deleted,
    createdAt: new Date(createdAt),
  }));
}

export function selectBranches(db: Db, { projectId, filter }: { projectId: string; filter?: SQL }): Promise<BoardBranch[]> {
  return db
    .select({
      id: branches.id,
      chatId: branches.chatId,
      title: branches.title,
      tipMessageId: branches.tipMessageId,
      forkMessageId: branches.forkMessageId,
      parentBranchId: branches.parentBranchId,
      status: branches.status,
      createdAt: branches.createdAt,
      updatedAt: branches.updatedAt,
    })
    .from(branches)
    .innerJoin(chats, eq(chats.id, branches.chatId))
    .where(and(eq(chats.projectId, projectId), isNull(chats.trashId), trashedTipHidden, filter))
    .orderBy(asc(branches.createdAt), asc(branches.id));
}

/** A branch whose tip is in the trash is hidden with it (server/chat/trash.ts). */
const trashedTipHidden = sql`not exists (select 1 from messages tip where tip.id = ${branches.tipMessageId} and tip.trash_id is not null)`;

export function selectReadySources(db: Db, { projectId }: { projectId: string }): Promise<BoardSource[]> {
  return db
    .select({ id: sources.id, title: sources.title, mediaType: sources.mediaType, summary: sources.summary })
    .from(sources)
    .where(and(eq(sources.projectId, projectId), eq(sources.status, "ready")))
    .orderBy(asc(sources.createdAt), asc(sources.id));
}

export function selectNodes(db: Db, { projectId, since }: { projectId: string; since?: Date }) {
  return db
    .select()
    .from(canvasNodes)
    .where(and(eq(canvasNodes.projectId, projectId), since ? gt(canvasNodes.updatedAt, since) : undefined));
}

export function splitNodes(rows: (typeof canvasNodes.$inferSelect)[]): { notes: BoardNote[]; positions: BoardPosition[] } {
  const notes: BoardNote[] = [];
  const positions: BoardPosition[] = [];
  const prefix = { message: "m", source: "s", chat: "c" } as const;
  for (const r of rows) {
    if (r.kind === "note") {
      notes.push({ id: r.id, text: r.text ?? "", x: r.x, y: r.y, locked: r.locked, style: r.style, deleted: r.deletedAt !== null, updatedAt: r.updatedAt });
    } else if (r.ref) {
      positions.push({ key: `${prefix[r.kind]}:${r.ref}`, x: r.x, y: r.y, locked: r.locked, style: r.style, updatedAt: r.updatedAt });
    }
  }
  return { notes, positions };
}

export async function selectCitations(db: Db, { projectId, messageIds }: { projectId: string; messageIds?: string[] }): Promise<BoardCitation[]> {
  if (messageIds && messageIds.length === 0) return [];
  const rows = await db
    .select({
      messageId: messageCitations.messageId,
      sourceId: messageCitations.sourceId,
      relevance: sql<number>`max(${messageCitations.relevance})`.mapWith(Number),
    })
    .from(messageCitations)
    .innerJoin(messages, eq(messages.id, messageCitations.messageId))
    .innerJoin(chats, eq(chats.id, messages.chatId))
    .innerJoin(sources, eq(sources.id, messageCitations.sourceId))
    .where(
      and(
        eq(chats.projectId, projectId),
        eq(sources.projectId, projectId),
        isNull(messages.deletedAt),
        ne(sources.status, "failed"),
        messageIds ? inArray(messageCitations.messageId, messageIds) : undefined,
      ),
    )
    .groupBy(messageCitations.messageId, messageCitations.sourceId);
  return rows.flatMap((r) => (r.sourceId ? [{ messageId: r.messageId, sourceId: r.sourceId, relevance: r.relevance }] : []));
}

export async function selectEdges(db: Db, { projectId, since }: { projectId: string; since?: Date }): Promise<BoardEdge[]> {
  const rows = await db
    .select()
    .from(canvasEdges)
    .where(
      and(eq(canvasEdges.projectId, projectId), since ? gt(canvasEdges.updatedAt, since) : isNull(canvasEdges.deletedAt)),
    )
    .orderBy(asc(canvasEdges.createdAt));
  return rows.map((e) => ({
    id: e.id,
    fromKey: e.fromKey,
    toKey: e.toKey,
    label: e.label,
    style: e.style,
    authorId: e.authorId,
    deleted: e.deletedAt !== null,
    updatedAt: e.updatedAt,
  }));
}

export function selectCommentCounts(db: Db, { projectId, targetKeys }: { projectId: string; targetKeys?: string[] }): Promise<CommentCount[]> {
  if (targetKeys && targetKeys.length === 0) return Promise.resolve([]);
  return db
    .select({
      targetKey: comments.targetKey,
      total: sql<number>`count(*)`.mapWith(Number),
      open: sql<number>`count(*) filter (where ${comments.threadId} is null and ${comments.resolvedAt} is null)`.mapWith(Number),
    })
    .from(comments)
    .where(
      and(eq(comments.projectId, projectId), isNull(comments.deletedAt), targetKeys ? inArray(comments.targetKey, targetKeys) : undefined),
    )
    .groupBy(comments.targetKey);
}

/** Messages created after `since`, or among `watch` (answers still streaming on the client's board). */
export function changedMessagesFilter(since: Date, watch: string[]): SQL {
  const created = gt(messages.createdAt, since);
  return watch.length > 0 ? (or(created, inArray(messages.id, watch)) ?? created) : created;
}

function shorten(text: string, long: boolean): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length > PREVIEW_CHARS) return `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
  return long ? `${flat}…` : flat;
}

/** The whole text of one message, for the board's hover preview. */
export async function getMessageText(db: Db, args: { projectId: string; messageId: string }) {
  const [row] = await db
    .select({ id: messages.id, role: messages.role, content: messages.content, deletedAt: messages.deletedAt, model: messages.model })
    .from(messages)
    .innerJoin(chats, eq(chats.id, messages.chatId))
    .where(and(eq(messages.id, args.messageId), eq(chats.projectId, args.projectId), isNull(messages.trashId)))
    .limit(1);
  if (!row) throw new AppError("not_found:message", "This message is not in this project.");
  return { id: row.id, role: row.role, model: row.model, deleted: row.deletedAt !== null, content: row.deletedAt ? "" : row.content };
}
