import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chats, messages } from "@/db/schema";
import { AppError } from "@/server/errors";

export async function setFeedback(db: Db, { projectId, messageId, value }: { projectId: string; messageId: string; value: "good" | "bad" | null }) {
  const [row] = await db
    .select({ id: messages.id, role: messages.role })
    .from(messages)
    .innerJoin(chats, eq(chats.id, messages.chatId))
    .where(and(eq(messages.id, messageId), eq(chats.projectId, projectId), isNull(messages.trashId)))
    .limit(1);
  if (!row) throw new AppError("not_found:message", "This message does not exist in this project.");
  if (row.role !== "assistant") throw new AppError("bad_request:feedback", "Feedback is for answers, not for questions.");
  await db.update(messages).set({ feedback: value }).where(eq(messages.id, messageId));
  return { messageId, feedback: value };
}
