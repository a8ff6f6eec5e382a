import "server-only";
/**
 * Producers running in this process. The promise is kept here, not on the
 * HTTP request, so an answer keeps being written when its reader goes away.
 */
type Running = { promise: Promise<void>; abort: AbortController };
const holder = globalThis as typeof globalThis & { __arborProducers?: Map<string, Running> };
const running = (holder.__arborProducers ??= new Map());

export function track(streamId: string, abort: AbortController, promise: Promise<void>): void {
  running.set(streamId, { promise, abort });
  void promise.finally(() => running.delete(streamId));
}

export function localProducer(streamId: string): Running | undefined {
  return running.get(streamId);
}

export function runningHere(): string[] {
  return [...running.keys()];
}

/** Resolves when this process's producer of the stream has finished (tests, benchmarks, graceful shutdown). */
export async function answerFinished(streamId: string): Promise<void> {
  await running.get(streamId)?.promise;
}
