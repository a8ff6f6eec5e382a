import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type ChatRequest, chatRequestSchema, newChatRequestSchema } from "@/lib/chat-protocol";
import { chats } from "@/db/schema";
import { AppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";
import { assertTokenMayUseChat, assertTokenProject, type RequestIdentity } from "@/server/tokens/request-identity";
import { choiceOfTurn, createChatForTurn } from "./new-chat";
import { findReadableStream } from "./stream/resume";
import { requestStop } from "./stream/stop";

export type ChatPost = { request: Omit<ChatRequest, "chatId"> & { chatId?: string }; projectId?: string; adapterId?: string | null };

/**
 * The body of POST /api/chat: a turn in an existing chat (`chatId`), or —
 * without a `chatId` but with a `projectId` — the first turn of a new chat,
 * in one round trip (what a script with an access token wants).
 */
export function parseChatPost(raw: unknown): ChatPost {
  const startsChat = Boolean(raw && typeof raw === "object" && !("chatId" in raw) && "projectId" in raw);
  // With a chatId the chat decides the project; a projectId sent alongside (the browser does) is ignored.
  const body = startsChat ? newChatRequestSchema.safeParse(raw) : chatRequestSchema.safeParse(raw);
  if (!body.success) {
    const fields = body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new AppError("bad_request:chat", `Invalid chat request — ${fields}`);
  }
  if ("projectId" in body.data) {
    const { projectId, adapterId, ...request } = body.data;
    return { request, projectId, adapterId: adapterId ?? null };
  }
  return { request: body.data };
}

/**
 * The chat a POST writes to, checked against a project-restricted token. A
 * new chat needs the editor role; a retry with the same requestId finds the
 * chat its first attempt created, so it makes neither a second chat nor a
 * second answer.
 */
export async function chatForPost(db: Db, { who, post }: { who: RequestIdentity; post: ChatPost }): Promise<string> {
  if (!post.projectId) {
    const chatId = post.request.chatId ?? "";
    await assertTokenMayUseChat(db, who, chatId);
    return chatId;
  }
  assertTokenProject(who, post.projectId);
  return createChatForTurn(db, {
    projectId: post.projectId,
    userId: who.userId,
    requestId: post.request.requestId,
    choice: choiceOfTurn(post.request),
    agentId: post.request.agentId ?? null,
    adapterId: post.adapterId ?? null,
  });
}

/** POST /api/chat/<streamId>/stop: Stop, for scripts — the same editor check as the Stop button. */
export async function stopForCaller(db: Db, { who, streamId }: { who: RequestIdentity; streamId: string }) {
  const stream = await findReadableStream(db, { streamId, userId: who.userId });
  const [chat] = await db.select({ projectId: chats.projectId }).from(chats).where(eq(chats.id, stream.chatId)).limit(1);
  if (!chat) throw new AppError("not_found:stream", "This answer stream does not exist, or you cannot read its project.");
  assertTokenProject(who, chat.projectId);
  await requireProjectRole(db, { projectId: chat.projectId, userId: who.userId, minimum: "editor" });
  return requestStop(db, { projectId: chat.projectId, streamId: stream.id });
}
