import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatStreams } from "@/db/schema";
import { isFinal, sseFrame, sseFrameOfJson } from "@/lib/chat-protocol";
import { readLedger } from "./ledger";
import { type StoredEvent, storedAfter, waitForLedger } from "./notify";
import { closeReader, READER_RENEW_MS, renewReader, type StreamReader } from "./readers";
import { localProducer } from "./registry";

/** Another instance's stream: only the table tells us about new events. */
const POLL_MS = 60;
/** This process's stream: appends wake the reader at once; the table is only a safety net. */
const LOCAL_POLL_MS = 1_000;
const STATUS_CHECK_MS = 1_000;
const HEARTBEAT_MS = 15_000;

/**
 * Every reader — the POST that started the answer, a resume with
 * Last-Event-ID, another member watching — tails the ledger the same way, so
 * any instance can serve any stream. Ends after the final event. With a
 * `reader` (server/chat/stream/readers.ts) it keeps that row fresh while it
 * reads and removes it when it ends, so the answer knows whether its asker is
 * still there.
 */
export function tailLedger(db: Db, { streamId, afterSeq, reader }: { streamId: string; afterSeq: number; reader?: StreamReader }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const cancelled = new AbortController();
  let lastRenew = Date.now();
  const close = () => {
    if (reader) void closeReader(db, reader).catch((e) => console.error("[arbor] could not close a stream reader", e));
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let last = afterSeq;
      let lastWrite = Date.now();
      let lastStatusCheck = 0;
      let quiet = false;
      try {
        while (!cancelled.signal.aborted) {
          const local = localProducer(streamId) !== undefined;
          // While this process's producer runs it is the stream's one writer, so what it stored is all
          // there is: take it from memory. A wait that nobody woke re-reads the table (the safety net).
          const remembered = local && !quiet ? storedAfter(streamId, last) : null;
          const rows = remembered ?? (await readLedger(db, { streamId, afterSeq: last }));
          // One chunk per batch (the same frames, one write to the socket instead of one per token).
          let frames = "";
          let finished = false;
          for (const row of rows) {
            const json = (row as StoredEvent).json;
            frames += json !== undefined ? sseFrameOfJson(row.seq, json) : sseFrame(row.seq, row.event);
            last = row.seq;
            if (isFinal(row.event)) finished = true;
          }
          if (frames) {
            controller.enqueue(encoder.encode(frames));
            lastWrite = Date.now();
          }
          if (finished) break;
          if (rows.length === 0) {
            // A stream closed without a final event can only be a ledger someone cut short; do not wait forever.
            if (!local && Date.now() - lastStatusCheck >= STATUS_CHECK_MS) {
              lastStatusCheck = Date.now();
              const [stream] = await db.select({ status: chatStreams.status }).from(chatStreams).where(eq(chatStreams.id, streamId)).limit(1);
              if (!stream) break;
              if (stream.status === "done" && (await readLedger(db, { streamId, afterSeq: last, limit: 1 })).length === 0) break;
            }
            if (reader && Date.now() - lastRenew >= READER_RENEW_MS) {
              lastRenew = Date.now();
              await renewReader(db, reader);
            }
            if (Date.now() - lastWrite > HEARTBEAT_MS) {
              controller.enqueue(encoder.encode(": keep-alive\n\n"));
              lastWrite = Date.now();
            }
            quiet = !(await waitForLedger(streamId, local ? LOCAL_POLL_MS : POLL_MS, cancelled.signal, last));
          }
        }
        controller.close();
      } catch (error) {
        if (!cancelled.signal.aborted) {
          console.error("[arbor] stream reader failed", error);
          controller.error(error);
        }
      } finally {
        close();
      }
    },
    cancel() {
      cancelled.abort();
    },
  });
}

export function sseHeaders(streamId: string): HeadersInit {
  return {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache, no-transform",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
    "X-Stream-Id": streamId,
  };
}
