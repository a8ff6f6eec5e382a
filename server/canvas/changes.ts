import "server-only";
import { and, eq, gt, inArray, or, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { branches, comments } from "@/db/schema";
import {
  type BoardBranch,
  type BoardChat,
  type BoardCitation,
  type BoardEdge,
  type BoardMessage,
  type BoardNote,
  type BoardPosition,
  type BoardSource,
  type CommentCount,
  changedMessagesFilter,
  databaseNow,
  selectBranches,
  selectChats,
  selectCitations,
  selectCommentCounts,
  selectEdges,
  selectMessages,
  selectNodes,
  selectReadySources,
  splitNodes,
} from "./board";

/**
 * What changed on a board since a cursor, for polling. Every instance reads the
 * same database, so a change made through any of them shows up here.
 *
 * A row committed just after our clock read can carry a slightly older
 * timestamp than the cursor, so each poll looks back OVERLAP_MS further; the
 * client merges by id, so seeing a row twice is harmless.
 */
export const OVERLAP_MS = 5_000;

export type BoardChanges = {
  cursor: Date;
  /** all chats (small), so renamed and deleted chats reach the board */
  chats: BoardChat[];
  /** all ready sources (small), so new and removed sources reach the board */
  sources: BoardSource[];
  messages: BoardMessage[];
  branches: BoardBranch[];
  notes: BoardNote[];
  positions: BoardPosition[];
  citations: BoardCitation[];
  edges: BoardEdge[];
  commentCounts: CommentCount[];
  /** targets whose comments changed (counts above; an absent count means none left) */
  commentTargets: string[];
  /**
   * Something went to the trash or came back since the cursor: whole subtrees appear or vanish
   * with their old timestamps, which no "changed since" filter sees, so the board reloads. Checked
   * against the cursor itself, without the overlap, so one move reloads a board once.
   */
  trashMoved: boolean;
};

export async function getChanges(db: Db, args: { projectId: string; since: Date; watch?: string[] }): Promise<BoardChanges> {
  const { projectId } = args;
  const cursor = await databaseNow(db);
  const since = new Date(args.since.getTime() - OVERLAP_MS);
  const watch = args.watch ?? [];

  const [chatRows, sourceRows, messageRows, nodeRows, edgeRows, commentRows] = await Promise.all([
    selectChats(db, { projectId }),
    selectReadySources(db, { projectId }),
    selectMessages(db, { projectId, filter: changedMessagesFilter(since, watch) }),
    selectNodes(db, { projectId, since }),
    selectEdges(db, { projectId, since }),
    db
      .selectDistinct({ targetKey: comments.targetKey })
      .from(comments)
      .where(and(eq(comments.projectId, projectId), gt(comments.updatedAt, since))),
  ]);

  // new messages move branch tips, whether or not the chat area bumped updated_at
  const touchedChats = [...new Set(messageRows.map((m) => m.chatId))];
  const branchFilter = touchedChats.length > 0 ? or(gt(branches.updatedAt, since), inArray(branches.chatId, touchedChats)) : gt(branches.updatedAt, since);
  const commentTargets = commentRows.map((r) => r.targetKey);
  const [trashRows, branchRows, citationRows, commentCounts] = await Promise.all([
    queryRows<{ moved: boolean }>(
      db,
      sql`select exists (select 1 from activity_events where project_id = ${projectId} and created_at > ${args.since.toISOString()}::timestamptz
            and verb in ('trashed_message', 'trashed_chat', 'restored_message', 'restored_chat')) as moved`,
    ),
    selectBranches(db, { projectId, filter: branchFilter }),
    selectCitations(db, { projectId, messageIds: messageRows.map((m) => m.id) }),
    selectCommentCounts(db, { projectId, targetKeys: commentTargets }),
  ]);
  const { notes, positions } = splitNodes(nodeRows);
  return {
    cursor,
    chats: chatRows,
    sources: sourceRows,
    messages: messageRows,
    branches: branchRows,
    notes,
    positions,
    citations: citationRows,
    edges: edgeRows,
    commentCounts,
    commentTargets,
    trashMoved: Boolean(trashRows[0]?.moved),
  };
}
