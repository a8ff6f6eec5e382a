import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { streamReaders } from "@/db/schema";

/** A reader renews its row this often while it reads… */
export const READER_RENEW_MS = 10_000;
/** …and one not renewed for this long (its instance died) no longer counts as reading. */
export const READER_STALE_MS = 45_000;

/**
 * Someone opened a reader of a stream (the tab that asked, a resume, another
 * member watching). Opened by the route before it answers, so a short answer
 * cannot end before its asker's reader is counted.
 */
export async function openReader(db: Db, { streamId, userId }: { streamId: string; userId: string }): Promise<string> {
  const [row] = await db.insert(streamReaders).values({ streamId, userId }).returning({ id: streamReaders.id });
  if (!row) throw new Error("stream reader insert returned nothing");
  return row.id;
}

export async function renewReader(db: Db, readerId: string): Promise<void> {
  await db.update(streamReaders).set({ seenAt: new Date() }).where(eq(streamReaders.id, readerId));
}

export async function closeReader(db: Db, readerId: string): Promise<void> {
  await db.delete(streamReaders).where(eq(streamReaders.id, readerId));
}

/** Whether the person has a reader of this stream open right now, on any instance. */
export async function isReading(db: Db, { streamId, userId }: { streamId: string; userId: string }): Promise<boolean> {
  const open = await db
    .select({ id: streamReaders.id })
    .from(streamReaders)
    .where(and(eq(streamReaders.streamId, streamId), eq(streamReaders.userId, userId), gt(streamReaders.seenAt, sql`now() - make_interval(secs => ${READER_STALE_MS / 1000})`)))
    .limit(1);
  return open.length > 0;
}
