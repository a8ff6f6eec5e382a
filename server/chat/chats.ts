import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Chat, branches, chatSummaries, chats } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { AppError } from "@/server/errors";
import { MAX_TITLE_CHARS } from "./limits";

/** A chat of this project, or not_found — a chat of another project, or one in the trash, is simply not there. */
export async function getChat(db: Db, { projectId, chatId }: { projectId: string; chatId: string }): Promise<Chat> {
  const [chat] = await db
    .select()
    .from(chats)
    .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId), isNull(chats.trashId)))
    .limit(1);
  if (!chat) throw new AppError("not_found:chat", "This chat does not exist in this project (it may have been deleted).");
  return chat;
}

export async function listChats(db: Db, { projectId }: { projectId: string }) {
  return db
    .select({ id: chats.id, title: chats.title, updatedAt: chats.updatedAt, archivedAt: chats.archivedAt, summary: chatSummaries.summary, keywords: chatSummaries.keywords })
    .from(chats)
    .leftJoin(chatSummaries, eq(chatSummaries.chatId, chats.id))
    .where(and(eq(chats.projectId, projectId), isNull(chats.trashId)))
    .orderBy(desc(chats.updatedAt));
}

/** A chat always has its first branch, "Main", so there is a pointer to append to. */
export async function createChat(
  db: Db,
  { projectId, by, title, modelChoice, agentId }: { projectId: string; by: string; title?: string; modelChoice?: string; agentId?: string | null },
) {
  return db.transaction(async (tx) => {
    const [chat] = await tx
      .insert(chats)
      .values({ projectId, createdBy: by, modelChoice, agentId, ...(title ? { title: cleanTitle(title) } : {}) })
      .returning();
    if (!chat) throw new Error("chat insert returned nothing");
    const [branch] = await tx.insert(branches).values({ chatId: chat.id, title: "Main", createdBy: by }).returning();
    if (!branch) throw new Error("branch insert returned nothing");
    await recordActivity(tx, { projectId, actorId: by, verb: "created_chat", targetKind: "chat", targetId: chat.id });
    return { ...chat, mainBranchId: branch.id };
  });
}

export async function renameChat(db: Db, { projectId, chatId, title }: { projectId: string; chatId: string; title: string }) {
  const clean = cleanTitle(title);
  if (!clean) throw new AppError("bad_request:title", "A chat title cannot be empty.");
  const [row] = await db
    .update(chats)
    .set({ title: clean, updatedAt: new Date() })
    .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId), isNull(chats.trashId)))
    .returning();
  if (!row) throw new AppError("not_found:chat", "This chat does not exist in this project.");
  return row;
}

/** Archive hides a chat from the list without deleting anything; unarchive brings it back. Not news: updatedAt stays. */
export async function setChatArchived(db: Db, { projectId, chatId, archived, by }: { projectId: string; chatId: string; archived: boolean; by: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(chats)
      .set({ archivedAt: archived ? new Date() : null })
      .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId), isNull(chats.trashId)))
      .returning({ id: chats.id, archivedAt: chats.archivedAt });
    if (!row) throw new AppError("not_found:chat", "This chat does not exist in this project.");
    await recordActivity(tx, { projectId, actorId: by, verb: archived ? "archived_chat" : "unarchived_chat", targetKind: "chat", targetId: chatId });
    return row;
  });
}

export function cleanTitle(title: string): string {
  return title.replace(/\s+/g, " ").trim().slice(0, MAX_TITLE_CHARS);
}
