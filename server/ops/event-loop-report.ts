import "server-only";
import { monitorEventLoopDelay } from "node:perf_hooks";

/** One report: the event loop's delay since the last one, and this process's memory. */
export type EventLoopReport = { p50Ms: number; p99Ms: number; maxMs: number; rssMb: number; heapUsedMb: number };

const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

/**
 * With EVENT_LOOP_REPORT_MS set, a line `[arbor] event-loop {json}` every
 * that many ms: how late timers ran (perf_hooks.monitorEventLoopDelay, 10 ms
 * resolution — a stalled loop delays every stream of this instance at once)
 * and the memory of the process. Soaks read it from stdout (bench/soak.ts);
 * an operator can graph it. Each line covers only its own interval. SIGUSR2
 * prints `[arbor] memory {json}` at once, after a full collection when the
 * process runs with --expose-gc.
 */
export function startEventLoopReport(everyMs: number, write: (line: string) => void = (line) => console.log(line)): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    const report: EventLoopReport = {
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      maxMs: ms(histogram.max),
      rssMb: mb(memory.rss),
      heapUsedMb: mb(memory.heapUsed),
    };
    histogram.reset();
    write(`[arbor] event-loop ${JSON.stringify(report)}`);
  }, everyMs);
  timer.unref();
  // `kill -USR2 <pid>`: memory after a full collection (with node --expose-gc), so a leak is told from garbage not yet collected
  const onSignal = () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = process.memoryUsage();
    write(`[arbor] memory ${JSON.stringify({ rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), collected: Boolean(gc) })}`);
  };
  process.on("SIGUSR2", onSignal);
  return () => {
    clearInterval(timer);
    histogram.disable();
    process.off("SIGUSR2", onSignal);
  };
}
