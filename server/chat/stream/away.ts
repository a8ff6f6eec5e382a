import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chats } from "@/db/schema";
import { notify } from "@/server/notify/notify";
import { isReading } from "./readers";

/**
 * "An answer finished while you were away": the person who started the
 * answer has no reader of its stream open when it ends — no tab of theirs on
 * that chat following it (the one that asked, a reload, another tab), on any
 * instance (server/chat/stream/readers.ts). Someone who stayed saw it arrive
 * and hears nothing. Checked just before the end event, while a reader that
 * stayed is still open.
 */
export async function tellIfAway(
  db: Db,
  run: { stream: { id: string; chatId: string }; actorId: string; assistantId: string; projectId: string; text: string },
  status: "complete" | "stopped" | "error",
): Promise<boolean> {
  if (await isReading(db, { streamId: run.stream.id, userId: run.actorId })) return false;
  const [chat] = await db.select({ title: chats.title }).from(chats).where(eq(chats.id, run.stream.chatId));
  if (!chat) return false;
  const excerpt = run.text.replace(/\s+/g, " ").trim();
  await notify(db, {
    userIds: [run.actorId],
    category: "answer",
    kind: "answer_finished",
    title: status === "error" ? `An answer in “${chat.title}” failed while you were away` : `Your answer in “${chat.title}” is ready`,
    body: excerpt ? (excerpt.length > 140 ? `${excerpt.slice(0, 139)}…` : excerpt) : status === "error" ? "Open the chat to see what happened." : "(no text)",
    href: `/projects/${run.projectId}/chat/${run.stream.chatId}?message=${run.assistantId}`,
    projectId: run.projectId,
  });
  return true;
}
