import "server-only";
import { EventEmitter } from "node:events";

/**
 * In-process wake-ups between the answer waiting on a device job and the
 * tunnel connection serving that device, when both live in this process.
 * Only a shortcut: both sides also poll the database, which is what carries
 * a job, a chunk or a Stop between instances.
 */
const holder = globalThis as typeof globalThis & { __arborDeviceBus?: EventEmitter };
const bus: EventEmitter = (holder.__arborDeviceBus ??= (() => {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return emitter;
})());

export const deviceTopic = (deviceId: string) => `device:${deviceId}`;
export const jobTopic = (jobId: string) => `job:${jobId}`;

export function wake(topic: string): void {
  bus.emit(topic);
}

/** Resolves on the next wake of `topic`, after `ms`, or on abort — whichever is first. */
export function waitFor(topic: string, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      bus.off(topic, done);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    bus.on(topic, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
