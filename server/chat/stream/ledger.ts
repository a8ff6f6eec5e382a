import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { streamEvents } from "@/db/schema";
import type { StreamEvent } from "./events";
import { notifyLedger } from "./notify";

/**
 * The producer's side of the ledger: numbers events 1, 2, 3… and appends them
 * in order. An event is written at once when no write is in flight; events
 * arriving during a write go out together in the next one, so a token burst
 * costs a few inserts, not one per token, without delaying the first token.
 * `flush()` resolves once everything appended so far is stored.
 */
export class LedgerWriter {
  private seq: number;
  private pending: Array<{ seq: number; event: StreamEvent }> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly db: Db,
    readonly streamId: string,
    startAfter = 0,
  ) {
    this.seq = startAfter;
  }

  get lastSeq(): number {
    return this.seq;
  }

  append(event: StreamEvent): number {
    this.seq += 1;
    this.pending.push({ seq: this.seq, event });
    // A zero timeout lets the events of one synchronous burst share an insert.
    if (!this.writing && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.run();
      }, 0);
    }
    return this.seq;
  }

  private run(): void {
    if (this.writing) return;
    this.writing = (async () => {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        // After a failed write (typically: the chat and its stream were deleted) later events cannot be
        // stored in order anyway; drop them instead of logging one error per token.
        if (this.failure) continue;
        try {
          await this.db.insert(streamEvents).values(batch.map((b) => ({ streamId: this.streamId, seq: b.seq, event: b.event })));
          notifyLedger(this.streamId, batch.at(-1)?.seq ?? 0);
        } catch (error) {
          this.failure ??= error;
          console.error("[arbor] stream ledger write failed", error);
        }
      }
    })().finally(() => {
      this.writing = null;
      if (this.pending.length > 0) this.run();
    });
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.run();
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
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
