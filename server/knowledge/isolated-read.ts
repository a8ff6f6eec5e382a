import "server-only";
import { Worker } from "node:worker_threads";
import { runningUnderVitest } from "@/server/env";
import { ExtractionError } from "./extraction-error";
import { READ_MEMORY_LIMIT_MB, READ_TIME_LIMIT_MS } from "./limits";
import type { ReadAnswer, ReadJob } from "./read-worker";
import type { ReadSource } from "./read-source";

export type ReadLimits = { timeMs: number; memoryMb: number };
const DEFAULT_LIMITS: ReadLimits = { timeMs: READ_TIME_LIMIT_MS, memoryMb: READ_MEMORY_LIMIT_MB };
/** An idle worker is kept this long for the next source (starting one loads pdf.js and mammoth again). */
const IDLE_MS = 30_000;

type Idle = { worker: Worker; limits: string; timer: ReturnType<typeof setTimeout> };
const pool = globalThis as typeof globalThis & { __arborReadWorkers?: Idle[] };
let nextJob = 1;

/**
 * Read a source (extract, chunk, summarise) in a worker thread, so a
 * pathological file cannot stall or crash the web process: a DOCX that
 * inflates to gigabytes or a PDF that spins meets the worker's heap limit
 * (`resourceLimits`) or the wall clock, the worker is stopped, and the source
 * fails with the reason while every request and stream carries on.
 * @see https://nodejs.org/api/worker_threads.html#new-workerfilename-options
 */
export async function readSourceIsolated(bytes: Uint8Array, mediaType: string, limits: ReadLimits = DEFAULT_LIMITS): Promise<ReadSource> {
  const key = `${limits.timeMs}/${limits.memoryMb}`;
  const worker = takeIdle(key) ?? startWorker(limits);
  const id = nextJob++;
  try {
    const result = await new Promise<ReadSource>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new ExtractionError(`Reading this file took longer than ${Math.round(limits.timeMs / 1000)} seconds, so it was stopped. Split it into smaller files, or paste its text.`));
      }, limits.timeMs);
      const done = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const onMessage = (answer: ReadAnswer) => {
        if (answer.id !== id) return;
        done();
        if (answer.ok) resolve(answer.result);
        else if (answer.reason) reject(new ExtractionError(answer.reason));
        else reject(new Error(`reading worker failed: ${answer.detail}`));
      };
      const onError = (error: Error & { code?: string }) => {
        done();
        if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
          reject(new ExtractionError(`Reading this file needed more than ${limits.memoryMb} MB of memory, so it was stopped. It may be a compressed bomb or far too large; split it, or save it again without embedded media.`));
        } else reject(error);
      };
      const onExit = (code: number) => {
        done();
        reject(new Error(`reading worker exited with code ${code}`));
      };
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.postMessage({ id, bytes, mediaType } satisfies ReadJob);
    });
    keepIdle(worker, key);
    return result;
  } catch (error) {
    // A worker that broke a limit (or died) is never reused.
    await worker.terminate().catch(() => undefined);
    throw error;
  }
}

function startWorker(limits: ReadLimits): Worker {
  const options = {
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.ceil(limits.memoryMb / 8)) },
    stdout: false,
    stderr: false,
  };
  // A Next.js build bundles the entry (Turbopack follows `new Worker(new URL(…, import.meta.url))`, and keeps
  // import.meta.url pointing at the source, so it cannot tell the two apart). Running from source (Vitest,
  // tsx scripts) the entry is TypeScript: the worker registers tsx first, under the react-server condition
  // that makes `server-only` an empty module, as `npm run` scripts do.
  const worker = runningFromSource()
    ? new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(new URL("./read-worker.ts", import.meta.url).href)}); })`, {
        ...options,
        eval: true,
        execArgv: ["--conditions=react-server"],
      })
    : new Worker(new URL("./read-worker.ts", import.meta.url), options);
  worker.unref();
  return worker;
}

/** Vitest, or a script started through tsx: TypeScript is loaded as it is, nothing was bundled. */
function runningFromSource(): boolean {
  return runningUnderVitest() || process.execArgv.some((arg) => /[\\/]tsx[\\/]|^tsx$/.test(arg));
}

function takeIdle(key: string): Worker | null {
  const idle = (pool.__arborReadWorkers ??= []);
  const index = idle.findIndex((entry) => entry.limits === key);
  if (index < 0) return null;
  const [entry] = idle.splice(index, 1);
  if (!entry) return null;
  clearTimeout(entry.timer);
  return entry.worker;
}

function keepIdle(worker: Worker, key: string): void {
  const idle = (pool.__arborReadWorkers ??= []);
  const timer = setTimeout(() => {
    const at = idle.findIndex((entry) => entry.worker === worker);
    if (at >= 0) idle.splice(at, 1);
    void worker.terminate();
  }, IDLE_MS);
  timer.unref();
  idle.push({ worker, limits: key, timer });
}
