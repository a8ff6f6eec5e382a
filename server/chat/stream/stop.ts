import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatStreams, chats } from "@/db/schema";
import { AppError } from "@/server/errors";
import { localProducer } from "./registry";

/** A stream of a chat of this project, or not_found (a foreign stream is simply not there). */
export async function getProjectStream(db: Db, { projectId, streamId }: { projectId: string; streamId: string }) {
  const [row] = await db
    .select({ stream: chatStreams })
    .from(chatStreams)
    .innerJoin(chats, eq(chats.id, chatStreams.chatId))
    .where(and(eq(chatStreams.id, streamId), eq(chats.projectId, projectId)))
    .limit(1);
  if (!row) throw new AppError("not_found:stream", "This answer stream does not exist in this project.");
  return row.stream;
}

/**
 * Stop is recorded in the database, so the producer sees it on whichever
 * instance it runs (it polls); when it runs here, it is aborted at once.
 */
export async function requestStop(db: Db, { projectId, streamId }: { projectId: string; streamId: string }) {
  const stream = await getProjectStream(db, { projectId, streamId });
  if (stream.status === "running") {
    await db
      .update(chatStreams)
      .set({ stopRequestedAt: sql`now()` })
      .where(and(eq(chatStreams.id, stream.id), isNull(chatStreams.stopRequestedAt)));
    localProducer(stream.id)?.abort.abort();
  }
  return { stopped: stream.status === "running", status: stream.status, stopRequestedAt: stream.stopRequestedAt };
}
