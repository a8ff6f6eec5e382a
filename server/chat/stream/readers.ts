import "server-only";
import { and, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { streamReaders } from "@/db/schema";
import { localProducer } from "./registry";

/** A reader renews its row this often while it reads… */
export const READER_RENEW_MS = 10_000;
/** …and one not renewed for this long (its instance died) no longer counts as reading. */
export const READER_STALE_MS = 45_000;

/** An open reader of a stream: counted in this process, and in the table once another instance may need to know. */
export type StreamReader = { streamId: string; userId: string; rowId: string | null; closed: boolean };

// Readers open in this process, by stream and person: the producer, when it runs here, asks this first.
const openHere = new Map<string, number>();
const keyOf = (streamId: string, userId: string) => `${streamId}:${userId}`;

async function insertRow(db: Db, reader: StreamReader): Promise<void> {
  const [row] = await db.insert(streamReaders).values({ streamId: reader.streamId, userId: reader.userId }).returning({ id: streamReaders.id });
  if (!row) throw new Error("stream reader insert returned nothing");
  reader.rowId = row.id;
}

/**
 * Someone opened a reader of a stream (the tab that asked, a resume, another
 * member watching). Opened by the route before it answers, so a short answer
 * cannot end before its asker's reader is counted. When the stream's producer
 * runs in this process — the usual case, the POST that asked — the reader is
 * only counted here: no row is written unless it is still reading at its first
 * renewal, so a short answer pays no statement for it. A reader of another
 * instance's stream writes its row at once, since only the table reaches there.
 */
export async function openReader(db: Db, { streamId, userId }: { streamId: string; userId: string }): Promise<StreamReader> {
  const reader: StreamReader = { streamId, userId, rowId: null, closed: false };
  const key = keyOf(streamId, userId);
  openHere.set(key, (openHere.get(key) ?? 0) + 1);
  if (localProducer(streamId) === undefined) await insertRow(db, reader);
  return reader;
}

export async function renewReader(db: Db, reader: StreamReader): Promise<void> {
  if (reader.closed) return;
  if (reader.rowId === null) await insertRow(db, reader);
  else await db.update(streamReaders).set({ seenAt: new Date() }).where(eq(streamReaders.id, reader.rowId));
}

export async function closeReader(db: Db, reader: StreamReader): Promise<void> {
  if (reader.closed) return;
  reader.closed = true;
  const key = keyOf(reader.streamId, reader.userId);
  const left = (openHere.get(key) ?? 1) - 1;
  if (left > 0) openHere.set(key, left);
  else openHere.delete(key);
  if (reader.rowId) await db.delete(streamReaders).where(eq(streamReaders.id, reader.rowId));
}

/** Whether the person has a reader of this stream open right now: in this process, else on any instance. */
export async function isReading(db: Db, { streamId, userId }: { streamId: string; userId: string }): Promise<boolean> {
  if ((openHere.get(keyOf(streamId, userId)) ?? 0) > 0) return true;
  const open = await db
    .select({ id: streamReaders.id })
    .from(streamReaders)
    .where(and(eq(streamReaders.streamId, streamId), eq(streamReaders.userId, userId), gt(streamReaders.seenAt, sql`now() - make_interval(secs => ${READER_STALE_MS / 1000})`)))
    .limit(1);
  return open.length > 0;
}
