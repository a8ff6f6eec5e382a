import type { Db } from "@/db/client";
import type { DeviceIdentity } from "@/server/devices/authenticate";
import { openTunnel } from "@/server/devices/tunnel";
import { createSseParser, type SseEvent } from "@/lib/sse-parse";

/**
 * The device's side of a tunnel, for integration tests: opens the real
 * tunnel stream and collects its events, with a way to wait for the next
 * one of a kind. The test then answers jobs the way the agent does, through
 * acceptJobChunk (the handler behind POST /api/devices/jobs/<id>).
 */
export function connectTestTunnel(db: Db, device: DeviceIdentity) {
  const abort = new AbortController();
  const events: SseEvent[] = [];
  const waiters: Array<{ kind: string; from: number; resolve: (e: SseEvent) => void }> = [];
  const parse = createSseParser((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      const found = events.slice(w.from).find((x) => x.event === w.kind);
      if (found) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  });
  const stream = openTunnel(db, device, abort.signal);
  const done = (async () => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parse(decoder.decode(value, { stream: true }));
    }
  })();
  let consumed = 0;
  return {
    events,
    /** The next event of this kind not yet taken (waits for it). */
    next(kind: string, timeoutMs = 10_000): Promise<SseEvent> {
      return new Promise((resolve, reject) => {
        const index = events.findIndex((e, i) => i >= consumed && e.event === kind);
        const take = (e: SseEvent) => {
          consumed = Math.max(consumed, events.indexOf(e) + 1);
          resolve(e);
        };
        if (index >= 0) return take(events[index] as SseEvent);
        const timer = setTimeout(() => reject(new Error(`no ${kind} event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          kind,
          from: consumed,
          resolve: (e) => {
            clearTimeout(timer);
            take(e);
          },
        });
      });
    },
    async close() {
      abort.abort();
      await done;
    },
  };
}
