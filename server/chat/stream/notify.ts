import "server-only";
import { EventEmitter } from "node:events";

/**
 * In-process hand-off from a ledger writer to the readers tailing the same
 * stream in this process. Only a shortcut: readers also poll the table, which
 * is what lets a reader on another instance follow the stream.
 *
 * The writer announces each batch once it is stored, with its rows, so a
 * reader here can send them without reading them back (one round trip less
 * per batch). The last rows are kept per stream for readers a little behind.
 */
export type StoredEvent = {
  seq: number;
  event: Record<string, unknown>;
  /** the event as JSON, when the writer already encoded it (a reader here sends these bytes as they are) */
  json?: string;
};
type Ledger = {
  /** highest seq stored */
  stored: number;
  /** the newest stored rows, in order: seqs base+1 … stored */
  rows: StoredEvent[];
  base: number;
};
type Bus = { emitter: EventEmitter; ledgers: Map<string, Ledger> };

/** Enough for a reader that fell a burst behind; further back it reads the table. */
const KEPT_ROWS = 512;

const holder = globalThis as typeof globalThis & { __arborLedgerBus?: Bus };
const bus: Bus = (holder.__arborLedgerBus ??= (() => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return { emitter, ledgers: new Map<string, Ledger>() };
})());

/** A writer starts on a stream whose table holds seqs ≤ startAfter. */
export function openLedger(streamId: string, startAfter: number): void {
  bus.ledgers.set(streamId, { stored: startAfter, rows: [], base: startAfter });
}

/** A batch (consecutive seqs, in order) is stored. */
export function notifyLedger(streamId: string, batch: StoredEvent[]): void {
  const first = batch[0];
  const last = batch.at(-1);
  if (!first || !last) return;
  let ledger = bus.ledgers.get(streamId);
  if (!ledger || ledger.stored !== first.seq - 1) {
    // not contiguous with what is kept: start keeping from this batch (earlier rows come from the table)
    ledger = { stored: first.seq - 1, rows: [], base: first.seq - 1 };
    bus.ledgers.set(streamId, ledger);
  }
  ledger.rows.push(...batch);
  ledger.stored = last.seq;
  if (ledger.rows.length > KEPT_ROWS) {
    const dropped = ledger.rows.splice(0, ledger.rows.length - KEPT_ROWS);
    ledger.base = dropped.at(-1)?.seq ?? ledger.base;
  }
  bus.emitter.emit(streamId);
}

/** The writer is done with a stream: its readers go back to the table alone. */
export function forgetLedger(streamId: string): void {
  bus.ledgers.delete(streamId);
}

/**
 * The rows after `afterSeq` as this process stored them ([] = nothing newer),
 * or null when memory does not reach back that far. Complete only while this
 * process's producer is the stream's one writer — the caller checks that.
 */
export function storedAfter(streamId: string, afterSeq: number): StoredEvent[] | null {
  const ledger = bus.ledgers.get(streamId);
  if (!ledger || afterSeq < ledger.base) return null;
  if (ledger.stored <= afterSeq) return [];
  return ledger.rows.slice(afterSeq - ledger.base);
}

/**
 * Resolves true on the next stored batch of this stream in this process (at
 * once if one landed after `afterSeq`), false after `ms` or on abort.
 */
export function waitForLedger(streamId: string, ms: number, signal?: AbortSignal, afterSeq = Number.POSITIVE_INFINITY): Promise<boolean> {
  if ((bus.ledgers.get(streamId)?.stored ?? 0) > afterSeq) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (woken: boolean) => {
      clearTimeout(timer);
      bus.emitter.off(streamId, onStored);
      signal?.removeEventListener("abort", onAbort);
      resolve(woken);
    };
    const onStored = () => done(true);
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    bus.emitter.on(streamId, onStored);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
