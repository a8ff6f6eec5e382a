import "server-only";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type Branch, branches, chats, messages } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { getChat } from "./chats";
import { MAX_TITLE_CHARS } from "./limits";
import { newestLeaf, subtreeSql } from "./tree";

/**
 * A branch is hidden while its tip is in the trash (it was born inside a trashed subtree or chat);
 * it comes back with the restore. Branches that only passed through a trashed subtree had their tip moved up.
 */
export const branchVisible = sql`not exists (select 1 from messages tip where tip.id = ${branches.tipMessageId} and tip.trash_id is not null)`;

export async function getBranch(db: Db, { chatId, branchId }: { chatId: string; branchId: string }): Promise<Branch> {
  const [branch] = await db
    .select()
    .from(branches)
    .where(and(eq(branches.id, branchId), eq(branches.chatId, chatId), branchVisible))
    .limit(1);
  if (!branch) throw new AppError("not_found:branch", "This branch does not exist in this chat.");
  return branch;
}

/** A branch of a chat of this project (for procedures that only name the branch). */
export async function getProjectBranch(db: Db, { projectId, branchId }: { projectId: string; branchId: string }): Promise<Branch> {
  const [row] = await db
    .select({ branch: branches })
    .from(branches)
    .innerJoin(chats, eq(chats.id, branches.chatId))
    .where(and(eq(branches.id, branchId), eq(chats.projectId, projectId), isNull(chats.trashId), branchVisible))
    .limit(1);
  if (!row) throw new AppError("not_found:branch", "This branch does not exist in this project.");
  return row.branch;
}

/** The branch menu: active first, then by last change. */
export async function listBranches(db: Db, { chatId }: { chatId: string }): Promise<Branch[]> {
  return db
    .select()
    .from(branches)
    .where(and(eq(branches.chatId, chatId), branchVisible))
    .orderBy(asc(branches.status), desc(branches.updatedAt), asc(branches.createdAt));
}

/** The branch to open by default: the one most recently written to. */
export async function defaultBranch(db: Db, { chatId }: { chatId: string }): Promise<Branch> {
  const [first] = await listBranches(db, { chatId });
  if (!first) throw new AppError("not_found:branch", "This chat has no branch.");
  return first;
}

/**
 * Branches that contain a message (their tip is the message or below it),
 * the most recently written first.
 */
export async function branchesContaining(db: Db, { chatId, messageId }: { chatId: string; messageId: string }): Promise<Branch[]> {
  const ids = await queryRows<{ id: string }>(
    db,
    sql`select b.id from branches b
        where b.chat_id = ${chatId} and b.tip_message_id in (${subtreeSql(chatId, messageId)})
          and not exists (select 1 from messages tip where tip.id = b.tip_message_id and tip.trash_id is not null)
        order by (b.status = 'active') desc, b.updated_at desc`,
  );
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(branches)
    .where(sql`${branches.id} in (select jsonb_array_elements_text(${JSON.stringify(ids.map((r) => r.id))}::jsonb)::uuid)`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((r) => byId.get(r.id)).filter((b): b is Branch => Boolean(b));
}

export async function loadChatMessage(db: Db, { chatId, messageId }: { chatId: string; messageId: string }) {
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.chatId, chatId), isNull(messages.trashId)))
    .limit(1);
  if (!message) throw new AppError("not_found:message", "This message does not exist in this chat (it may be in the trash).");
  return message;
}

/** A new branch whose tip is `messageId`; nothing is copied. */
export async function forkBranch(
  db: Db,
  { projectId, chatId, messageId, by, title }: { projectId: string; chatId: string; messageId: string; by: string; title?: string },
): Promise<Branch> {
  await getChat(db, { projectId, chatId });
  const message = await loadChatMessage(db, { chatId, messageId });
  if (message.deletedAt) throw new AppError("gone:message", "This message was deleted, so there is nothing to fork from.");
  if (message.status === "streaming") throw new AppError("conflict:streaming", "This answer is still being written. Fork once it has finished.");
  const [parent] = await branchesContaining(db, { chatId, messageId });
  return db.transaction(async (tx) => {
    const count = await tx.$count(branches, eq(branches.chatId, chatId));
    const [branch] = await tx
      .insert(branches)
      .values({
        chatId,
        tipMessageId: messageId,
        forkMessageId: messageId,
        parentBranchId: parent?.id ?? null,
        title: cleanBranchTitle(title) || `Branch ${count + 1}`,
        createdBy: by,
      })
      .returning();
    if (!branch) throw new Error("branch insert returned nothing");
    await recordActivity(tx, { projectId, actorId: by, verb: "forked", targetKind: "message", targetId: messageId, detail: { chatId, branchId: branch.id } });
    return branch;
  });
}

/**
 * The branch to show when someone picks sibling `messageId`: descend to the
 * sibling's newest leaf; reuse a branch already pointing into that subtree
 * (the one whose tip is newest), else create a pointer at the leaf — but only
 * for someone who may write (`mayCreate`). Reading never writes: a viewer
 * gets `tipMessageId` instead, the leaf to read the current branch's view at
 * (getThread's `messageId`), and no row is added.
 */
export async function switchSibling(
  db: Db,
  {
    projectId,
    chatId,
    branchId,
    messageId,
    by,
    mayCreate,
  }: { projectId: string; chatId: string; branchId: string; messageId: string; by: string; mayCreate: boolean },
): Promise<{ branchId: string; tipMessageId?: string }> {
  await getChat(db, { projectId, chatId });
  const current = await getBranch(db, { chatId, branchId });
  const message = await loadChatMessage(db, { chatId, messageId });
  if (message.deletedAt) throw new AppError("gone:message", "This message was deleted.");
  const leaf = await newestLeaf(db, { chatId, messageId });
  const existing = await queryRows<{ id: string }>(
    db,
    sql`select b.id from branches b join messages t on t.id = b.tip_message_id
        where b.chat_id = ${chatId} and b.tip_message_id in (${subtreeSql(chatId, messageId)}) and t.trash_id is null
        order by (b.tip_message_id = ${leaf}) desc, (b.id = ${branchId}) desc, (b.status = 'active') desc, t.created_at desc, b.updated_at desc
        limit 1`,
  );
  if (existing[0]) return { branchId: existing[0].id };
  if (!mayCreate) return { branchId: current.id, tipMessageId: leaf };
  const [created] = await db
    .insert(branches)
    .values({
      chatId,
      tipMessageId: leaf,
      forkMessageId: message.parentId,
      parentBranchId: current.id,
      title: `${current.title} (alt)`.slice(0, MAX_TITLE_CHARS),
      createdBy: by,
    })
    .returning({ id: branches.id });
  if (!created) throw new Error("branch insert returned nothing");
  return { branchId: created.id };
}

export async function renameBranch(db: Db, { projectId, branchId, title }: { projectId: string; branchId: string; title: string }) {
  const branch = await getProjectBranch(db, { projectId, branchId });
  const clean = cleanBranchTitle(title);
  if (!clean) throw new AppError("bad_request:title", "A branch name cannot be empty.");
  const [row] = await db.update(branches).set({ title: clean, updatedAt: new Date() }).where(eq(branches.id, branch.id)).returning();
  return row ?? branch;
}

export async function archiveBranch(db: Db, { projectId, branchId, archived }: { projectId: string; branchId: string; archived: boolean }) {
  const branch = await getProjectBranch(db, { projectId, branchId });
  // updatedAt is left alone: archiving is not "writing to" a branch, so it must not jump to the top.
  const [row] = await db
    .update(branches)
    .set({ status: archived ? "archived" : "active" })
    .where(eq(branches.id, branch.id))
    .returning();
  return row ?? branch;
}

function cleanBranchTitle(title: string | undefined): string {
  return (title ?? "").replace(/\s+/g, " ").trim().slice(0, MAX_TITLE_CHARS);
}
