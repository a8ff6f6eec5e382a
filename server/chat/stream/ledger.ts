import "server-only";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { streamEvents } from "@/db/schema";
import type { StreamEvent } from "@/lib/chat-protocol";
import { forgetLedger, notifyLedger, openLedger } from "./notify";

/** A progress event (metadata) waits this long for company, so it usually shares the first token's insert. */
const METADATA_WAIT_MS = 40;

/**
 * The producer's side of the ledger: numbers events 1, 2, 3… and appends them
 * in order. A content or final event is written as soon as the current
 * synchronous burst is over; events arriving during a write go out together in
 * the next one, so a token burst costs a few inserts, not one per token.
 * Metadata (phase changes) waits up to METADATA_WAIT_MS for the next event:
 * the phases before the first token then cost no insert of their own on the
 * way to it. Readers in this process get each batch as soon as it is stored.
 * `flush()` resolves once everything appended so far is stored.
 *
 * A batch is stored only while the stream is still running, under a share
 * lock on its row: the sweeper that declares a stream interrupted changes
 * that row first, so it waits for a batch in flight and numbers its own final
 * event after it, and a batch arriving after the sweep stores nothing — the
 * two can never write the same sequence number. The writer then stops
 * (`onRefused`: the producer aborts its upstream call).
 */
export class LedgerWriter {
  private seq: number;
  private pending: Array<{ seq: number; event: StreamEvent }> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private queued = false;
  private writing: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly db: Db,
    readonly streamId: string,
    startAfter = 0,
    private readonly onRefused: () => void = () => {},
  ) {
    this.seq = startAfter;
    openLedger(streamId, startAfter);
  }

  get lastSeq(): number {
    return this.seq;
  }

  append(event: StreamEvent): number {
    this.seq += 1;
    this.pending.push({ seq: this.seq, event });
    if (this.writing || this.queued) return this.seq;
    if (event.type === "metadata") {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.run();
      }, METADATA_WAIT_MS);
    } else {
      // A microtask, not a timer: on PGlite the producer's own queries never yield to the timer phase.
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        this.run();
      });
    }
    return this.seq;
  }

  private run(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing) return;
    this.writing = (async () => {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        // After a failed write (typically: the chat and its stream were deleted) later events cannot be
        // stored in order anyway; drop them instead of logging one error per token.
        if (this.failure) continue;
        try {
          // One parameter for the whole batch, plain SQL: this insert is on the way to every token.
          const [stored] = await queryRows<{ n: number }>(
            this.db,
            sql`with live as (select id from chat_streams where id = ${this.streamId} and status = 'running' for share),
                written as (
                  insert into stream_events (stream_id, seq, event)
                  select live.id, e.seq, e.event from live, jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as e(seq int, event jsonb)
                  returning 1
                )
              select count(*)::int as n from written`,
          );
          if (Number(stored?.n ?? 0) === 0) throw new StreamClosed(this.streamId);
          notifyLedger(this.streamId, batch);
        } catch (error) {
          this.failure ??= error;
          if (error instanceof StreamClosed) this.onRefused();
          else console.error("[arbor] stream ledger write failed", error);
        }
      }
    })().finally(() => {
      this.writing = null;
      if (this.pending.length > 0) this.run();
    });
  }

  async flush(): Promise<void> {
    this.run();
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
  }

  /** The producer is done: readers here go back to the table. */
  close(): void {
    forgetLedger(this.streamId);
  }
}

/** The stream was swept as interrupted (or deleted with its chat): its ledger takes no more events. */
export class StreamClosed extends Error {
  constructor(streamId: string) {
    super(`stream ${streamId} is no longer running; its ledger is closed`);
    this.name = "StreamClosed";
  }
}

export async function readLedger(db: Db, { streamId, afterSeq, limit = 500 }: { streamId: string; afterSeq: number; limit?: number }) {
  return db
    .select({ seq: streamEvents.seq, event: streamEvents.event })
    .from(streamEvents)
    .where(and(eq(streamEvents.streamId, streamId), gt(streamEvents.seq, afterSeq)))
    .orderBy(asc(streamEvents.seq))
    .limit(limit);
}

export async function lastLedgerSeq(db: Db, streamId: string): Promise<number> {
  const [row] = await db
    .select({ seq: sql<number>`coalesce(max(${streamEvents.seq}), 0)`.mapWith(Number) })
    .from(streamEvents)
    .where(eq(streamEvents.streamId, streamId));
  return row?.seq ?? 0;
}

/** The text a stream produced, rebuilt from its content events (for answers whose row lags the ledger). */
export async function ledgerText(db: Db, streamId: string): Promise<string> {
  const rows = await db
    .select({ event: streamEvents.event })
    .from(streamEvents)
    .where(and(eq(streamEvents.streamId, streamId), sql`${streamEvents.event}->>'type' = 'content'`))
    .orderBy(asc(streamEvents.seq));
  return rows.map((r) => String(r.event.text ?? "")).join("");
}
