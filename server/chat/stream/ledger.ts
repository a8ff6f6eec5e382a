import "server-only";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { streamEvents } from "@/db/schema";
import { isFinal, type StreamEvent } from "@/lib/chat-protocol";
import { forgetLedger, notifyLedger, openLedger } from "./notify";

/** A progress event (metadata) waits this long for company, so it usually shares the first token's insert. */
const METADATA_WAIT_MS = 40;
/**
 * Tokens after the first are coalesced into one insert per window this long
 * (LibreChat's figure): a reader sees them at most this much later, and the
 * ledger costs Postgres a commit per window instead of one per token.
 */
export const LEDGER_WINDOW_MS = 25;

/** An event waiting for its batch, encoded once: the same text goes into the insert and to readers in this process. */
type Pending = { seq: number; event: StreamEvent; json: string };

const counters = globalThis as typeof globalThis & { __arborLedgerInserts?: { n: number } };
/** Ledger inserts made by this process so far (benchmarks). */
export const ledgerInserts = (counters.__arborLedgerInserts ??= { n: 0 });

/**
 * The producer's side of the ledger: numbers events 1, 2, 3… and appends them
 * in order, one insert per batch. When a batch goes out:
 *  - the first token, and a final event (end/error), at once (after a write
 *    in flight): the first token is what a person waits for, the final event
 *    what closes the stream;
 *  - any later token at the end of its window: LEDGER_WINDOW_MS after the
 *    previous batch went out, together with everything that arrived meanwhile;
 *  - metadata (phase changes) after METADATA_WAIT_MS, or with the next batch.
 * `flush()` resolves once everything appended so far is stored.
 *
 * Readers never see an event before it is stored — in this process they get
 * each batch from memory as soon as its insert commits (notify.ts), elsewhere
 * from the table — so a reader that resumes with Last-Event-ID anywhere, on
 * any instance, continues exactly where it stopped, and a crash loses only
 * events nobody was shown (and nobody is charged for: the sweeper bills the
 * ledger's text).
 *
 * A batch is stored only while the stream is still running, under a share
 * lock on its row: the sweeper that declares a stream interrupted changes
 * that row first, so it waits for a batch in flight and numbers its own final
 * event after it, and a batch arriving after the sweep stores nothing — the
 * two can never write the same sequence number. The writer then stops
 * (`onRefused`: the producer aborts its upstream call). The same statement
 * reports a Stop asked for on any instance (`onStopRequested`), so while
 * batches flow the producer needs no poll of its own for it.
 */
export class LedgerWriter {
  private seq: number;
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private deadline = Number.POSITIVE_INFINITY;
  private queued = false;
  private writing: Promise<void> | null = null;
  private failure: unknown = null;
  /** events up to this seq go out without waiting for their window (first token, final event, flush) */
  private urgentUpTo = 0;
  /** highest seq written (or dropped after a failure) */
  private settledUpTo: number;
  private contentSent = false;
  private lastBatchAt = Number.NEGATIVE_INFINITY;
  /** when a batch last read the stream's row (stop request, still running) */
  lastRowCheckAt = Number.NEGATIVE_INFINITY;
  /** inserts made, for benchmarks and tests */
  batches = 0;

  constructor(
    private readonly db: Db,
    readonly streamId: string,
    startAfter = 0,
    private readonly onRefused: () => void = () => {},
    private readonly onStopRequested: () => void = () => {},
  ) {
    this.seq = startAfter;
    this.settledUpTo = startAfter;
    openLedger(streamId, startAfter);
  }

  get lastSeq(): number {
    return this.seq;
  }

  append(event: StreamEvent): number {
    this.seq += 1;
    this.pending.push({ seq: this.seq, event, json: JSON.stringify(event) });
    if (event.type === "metadata") {
      this.scheduleIn(METADATA_WAIT_MS);
    } else if (isFinal(event) || !this.contentSent) {
      if (event.type === "content") this.contentSent = true;
      this.urgentUpTo = this.seq;
      this.runSoon();
    } else {
      this.scheduleIn(this.lastBatchAt + LEDGER_WINDOW_MS - performance.now());
    }
    return this.seq;
  }

  /** A microtask, not a timer: on PGlite the producer's own queries never yield to the timer phase. */
  private runSoon(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.run();
    });
  }

  /** A batch within `ms` (an earlier deadline already set stays). */
  private scheduleIn(ms: number): void {
    if (this.writing) return; // the write in flight schedules what came meanwhile
    const at = performance.now() + Math.max(0, ms);
    if (this.timer && this.deadline <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.deadline = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.run();
      },
      Math.max(0, ms),
    );
  }

  private run(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.writing || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.lastBatchAt = performance.now();
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
      this.settledUpTo = batch.at(-1)?.seq ?? this.settledUpTo;
      if (this.pending.length === 0) return;
      // What arrived during the write: at once if it must not wait, else at the end of its window.
      if (this.urgentUpTo > this.settledUpTo) this.run();
      else this.scheduleIn(this.lastBatchAt + LEDGER_WINDOW_MS - performance.now());
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    // After a failed write (typically: the chat and its stream were deleted) later events cannot be
    // stored in order anyway; drop them instead of logging one error per token.
    if (this.failure) return;
    try {
      this.batches += 1;
      ledgerInserts.n += 1;
      // One parameter for the whole batch, plain SQL: this insert is on the way to every token.
      const [stored] = await queryRows<{ n: number; stop: boolean | null }>(
        this.db,
        sql`with live as (select id, stop_requested_at from chat_streams where id = ${this.streamId} and status = 'running' for share),
            written as (
              insert into stream_events (stream_id, seq, event)
              select live.id, e.seq, e.event from live, jsonb_to_recordset(${batchJson(batch)}::jsonb) as e(seq int, event jsonb)
              returning 1
            )
          select (select count(*)::int from written) as n, (select stop_requested_at is not null from live) as stop`,
      );
      if (Number(stored?.n ?? 0) === 0) throw new StreamClosed(this.streamId);
      this.lastRowCheckAt = performance.now();
      notifyLedger(this.streamId, batch);
      if (stored?.stop) this.onStopRequested();
    } catch (error) {
      this.failure ??= error;
      if (error instanceof StreamClosed) this.onRefused();
      else console.error("[arbor] stream ledger write failed", error);
    }
  }

  async flush(): Promise<void> {
    const target = this.seq;
    this.urgentUpTo = Math.max(this.urgentUpTo, target);
    this.run();
    while (this.settledUpTo < target) {
      const writing = this.writing;
      if (!writing) {
        this.run();
        if (!this.writing) break;
        continue;
      }
      await writing;
    }
    if (this.failure) throw this.failure;
  }

  /** The producer is done: readers here go back to the table. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    forgetLedger(this.streamId);
  }
}

/** `[{"seq":…,"event":…},…]` from the events' own JSON: each event is encoded once, when it is appended. */
function batchJson(batch: Pending[]): string {
  let out = "[";
  for (let i = 0; i < batch.length; i++) {
    const p = batch[i] as Pending;
    out += `${i === 0 ? "" : ","}{"seq":${p.seq},"event":${p.json}}`;
  }
  return `${out}]`;
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
