import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatStreams, chats } from "@/db/schema";
import { AppError, isAppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";

const NOT_FOUND = () => new AppError("not_found:stream", "This answer stream does not exist, or you cannot read its project.");

/** A stream the caller may read (viewer of its project). Unknown, malformed and foreign ids all look the same: 404. */
export async function findReadableStream(db: Db, { streamId, userId }: { streamId: string; userId: string }) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(streamId)) throw NOT_FOUND();
  const [row] = await db
    .select({ stream: chatStreams, projectId: chats.projectId })
    .from(chatStreams)
    .innerJoin(chats, eq(chats.id, chatStreams.chatId))
    .where(
      and(
        eq(chatStreams.id, streamId),
        // an answer in the trash is gone from the API too, ledger and all
        isNull(chats.trashId),
        sql`not exists (select 1 from messages am where am.id = ${chatStreams.assistantMessageId} and am.trash_id is not null)`,
      ),
    )
    .limit(1);
  if (!row) throw NOT_FOUND();
  try {
    await requireProjectRole(db, { projectId: row.projectId, userId, minimum: "viewer" });
  } catch (error) {
    if (isAppError(error)) throw NOT_FOUND();
    throw error;
  }
  return row.stream;
}
