import "server-only";
import { parentPort } from "node:worker_threads";
import { ExtractionError } from "./extraction-error";
import { readSource } from "./read-source";

/**
 * The reading worker's entry (started by isolated-read.ts): one job per
 * message, answered with the result or a reason. A file that breaks the
 * worker's memory or time limit never answers; the host stops the worker.
 */
export type ReadJob = { id: number; bytes: Uint8Array; mediaType: string };
export type ReadAnswer = { id: number; ok: true; result: Awaited<ReturnType<typeof readSource>> } | { id: number; ok: false; reason: string | null; detail: string };

parentPort?.on("message", async (job: ReadJob) => {
  let answer: ReadAnswer;
  try {
    answer = { id: job.id, ok: true, result: await readSource(job.bytes, job.mediaType) };
  } catch (error) {
    answer = { id: job.id, ok: false, reason: error instanceof ExtractionError ? error.message : null, detail: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort?.postMessage(answer);
});
