import { EventEmitter } from "node:events";

/**
 * In-process wake-ups for readers tailing a ledger the same process writes.
 * Only a shortcut: readers also poll the table, which is what lets a reader on
 * another instance follow the stream. The last stored seq per stream closes
 * the gap between a reader's query and its wait.
 */
type Bus = { emitter: EventEmitter; stored: Map<string, number> };
const holder = globalThis as typeof globalThis & { __arborLedgerWakeups?: Bus };
const bus: Bus = (holder.__arborLedgerWakeups ??= (() => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return { emitter, stored: new Map<string, number>() };
})());

export function notifyLedger(streamId: string, lastSeq: number): void {
  bus.stored.set(streamId, Math.max(lastSeq, bus.stored.get(streamId) ?? 0));
  bus.emitter.emit(streamId);
}

/** The producer is done with a stream: its readers go back to the table alone. */
export function forgetLedger(streamId: string): void {
  bus.stored.delete(streamId);
}

/** Resolves on the next append to this stream in this process (at once if one landed after `afterSeq`), or after `ms`. */
export function waitForLedger(streamId: string, ms: number, signal?: AbortSignal, afterSeq = Number.POSITIVE_INFINITY): Promise<void> {
  if ((bus.stored.get(streamId) ?? 0) > afterSeq) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      bus.emitter.off(streamId, done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    bus.emitter.on(streamId, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
