import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { comments, users } from "@/db/schema";
import type { Role } from "@/lib/roles";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { mentionedMembers } from "@/server/notify/mentions";
import { notify } from "@/server/notify/notify";
import { roleAtLeast } from "@/lib/roles";
import { resolveKey } from "./board-keys";

/**
 * Comment threads on anything on the board. A thread is its first comment;
 * replies point at it. Deletion is soft (the thread keeps its shape and other
 * boards learn of it); only the author edits, the author or the owner deletes.
 */

export const COMMENT_MAX_CHARS = 5_000;

export type CommentView = {
  id: string;
  targetKey: string;
  threadId: string | null;
  body: string;
  authorId: string | null;
  authorName: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  edited: boolean;
  deleted: boolean;
};

function cleanBody(body: string) {
  const trimmed = body.trim();
  if (trimmed.length === 0) throw new AppError("bad_request:comment", "A comment needs some text.");
  if (trimmed.length > COMMENT_MAX_CHARS) throw new AppError("bad_request:comment", `A comment can hold at most ${COMMENT_MAX_CHARS} characters.`);
  return trimmed;
}

export async function addComment(
  db: Db,
  args: { projectId: string; actorId: string; targetKey: string; body: string; threadId?: string | null },
): Promise<CommentView> {
  const body = cleanBody(args.body);
  return db.transaction(async (tx) => {
    const target = await resolveKey(tx, { projectId: args.projectId, key: args.targetKey, allowed: ["m", "s", "n"] });
    if (target.deleted) throw new AppError("bad_request:comment", "That message was deleted, so it cannot be commented on.");
    let threadId: string | null = null;
    if (args.threadId) {
      const [thread] = await tx
        .select({ id: comments.id, threadId: comments.threadId, targetKey: comments.targetKey })
        .from(comments)
        .where(and(eq(comments.id, args.threadId), eq(comments.projectId, args.projectId), isNull(comments.deletedAt)))
        .limit(1);
      if (!thread || thread.targetKey !== target.key) throw new AppError("not_found:comment", "The comment you are replying to does not exist any more.");
      // replies to a reply join the same thread
      threadId = thread.threadId ?? thread.id;
    }
    const [row] = await tx
      .insert(comments)
      .values({ projectId: args.projectId, targetKey: target.key, messageId: target.messageId, threadId, body, authorId: args.actorId })
      .returning();
    if (!row) throw new Error("comment insert returned nothing");
    await recordActivity(tx, {
      projectId: args.projectId,
      actorId: args.actorId,
      verb: "commented",
      targetKind: target.prefix === "m" ? "message" : target.prefix === "s" ? "source" : "note",
      targetId: target.id,
      detail: { commentId: row.id, reply: threadId !== null },
    });
    const [view] = await listCommentsWhere(tx, and(eq(comments.id, row.id)));
    if (!view) throw new Error("comment vanished");
    await tellAboutComment(tx, { projectId: args.projectId, actorId: args.actorId, messageId: target.messageId, body, authorName: view.authorName });
    return view;
  });
}

/**
 * The people a new comment concerns: whoever it @mentions (members only), and
 * the person whose message it is on (an answer belongs to whoever asked).
 * Never the commenter. Each hears as they chose (server/notify/notify.ts).
 */
async function tellAboutComment(db: Db, a: { projectId: string; actorId: string; messageId: string | null; body: string; authorName: string | null }) {
  const who = a.authorName || "Someone";
  const excerpt = a.body.length > 140 ? `${a.body.slice(0, 139)}…` : a.body;
  const [message] = a.messageId
    ? await queryRows<{ chat_id: string; owner: string | null }>(
        db,
        sql`select m.chat_id, coalesce(m.author_id, p.author_id) as owner from messages m left join messages p on p.id = m.parent_id where m.id = ${a.messageId}`,
      )
    : [];
  const href = message && a.messageId ? `/projects/${a.projectId}/chat/${message.chat_id}?message=${a.messageId}` : `/projects/${a.projectId}/canvas`;
  const mentioned = (await mentionedMembers(db, { projectId: a.projectId, body: a.body })).filter((id) => id !== a.actorId);
  await notify(db, { userIds: mentioned, category: "mention", kind: "mention", title: `${who} mentioned you`, body: excerpt, href, projectId: a.projectId });
  const owner = message?.owner;
  if (owner && owner !== a.actorId && !mentioned.includes(owner)) {
    const [member] = await queryRows<{ ok: number }>(db, sql`select 1 as ok from project_members where project_id = ${a.projectId} and user_id = ${owner}`);
    if (member) await notify(db, { userIds: [owner], category: "comment", kind: "comment", title: `${who} commented on your message`, body: excerpt, href, projectId: a.projectId });
  }
}

/** A node's threads, oldest first, replies after their thread. Deleted comments keep their place, without words. */
export async function listComments(db: Db, args: { projectId: string; targetKey: string }): Promise<CommentView[]> {
  const target = await resolveKey(db, { projectId: args.projectId, key: args.targetKey, allowed: ["m", "s", "n"] });
  return listCommentsWhere(db, and(eq(comments.projectId, args.projectId), eq(comments.targetKey, target.key)));
}

async function listCommentsWhere(db: Db, where: ReturnType<typeof and>): Promise<CommentView[]> {
  const rows = await db
    .select({ c: comments, authorName: sql<string | null>`coalesce(${users.name}, ${users.email})` })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(where)
    .orderBy(asc(comments.createdAt), asc(comments.id));
  return rows.map(({ c, authorName }) => {
    const deleted = c.deletedAt !== null;
    return {
      id: c.id,
      targetKey: c.targetKey,
      threadId: c.threadId,
      body: deleted ? "" : c.body,
      authorId: c.authorId,
      authorName: deleted ? null : authorName,
      resolvedAt: c.resolvedAt,
      resolvedBy: c.resolvedBy,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      edited: !deleted && c.editedAt !== null,
      deleted,
    };
  });
}

async function loadLive(db: Db, projectId: string, commentId: string) {
  const [row] = await db
    .select()
    .from(comments)
    .where(and(eq(comments.id, commentId), eq(comments.projectId, projectId), isNull(comments.deletedAt)))
    .limit(1);
  if (!row) throw new AppError("not_found:comment", "This comment does not exist any more.");
  return row;
}

export async function editComment(db: Db, args: { projectId: string; actorId: string; commentId: string; body: string }) {
  const body = cleanBody(args.body);
  const row = await loadLive(db, args.projectId, args.commentId);
  if (row.authorId !== args.actorId) throw new AppError("forbidden:comment", "Only the person who wrote a comment can edit it.");
  await db.update(comments).set({ body, editedAt: sql`clock_timestamp()`, updatedAt: sql`clock_timestamp()` }).where(eq(comments.id, row.id));
  return { id: row.id, body };
}

/** Resolving is per thread: a reply resolves the thread it belongs to. */
export async function setResolved(db: Db, args: { projectId: string; actorId: string; commentId: string; resolved: boolean }) {
  const row = await loadLive(db, args.projectId, args.commentId);
  const threadId = row.threadId ?? row.id;
  await db
    .update(comments)
    .set({
      resolvedAt: args.resolved ? sql`clock_timestamp()` : null,
      resolvedBy: args.resolved ? args.actorId : null,
      updatedAt: sql`clock_timestamp()`,
    })
    .where(and(eq(comments.id, threadId), eq(comments.projectId, args.projectId)));
  return { threadId, resolved: args.resolved };
}

export async function deleteComment(db: Db, args: { projectId: string; actorId: string; actorRole: Role; commentId: string }) {
  const row = await loadLive(db, args.projectId, args.commentId);
  if (row.authorId !== args.actorId && !roleAtLeast(args.actorRole, "owner")) {
    throw new AppError("forbidden:comment", "Only the person who wrote a comment, or the project owner, can delete it.");
  }
  await db
    .update(comments)
    .set({ deletedAt: sql`clock_timestamp()`, updatedAt: sql`clock_timestamp()` })
    .where(eq(comments.id, row.id));
  return { id: row.id };
}
