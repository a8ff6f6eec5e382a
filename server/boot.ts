import "server-only";
import type { Db } from "@/db/client";
import { getEnv } from "@/server/env";
import { listJobs, type Worker } from "@/server/jobs";

const flag = globalThis as typeof globalThis & { __arborBooted?: Promise<void> };

/** Called from instrumentation.ts once per server process: the boot tasks in order, then every worker. */
export function boot(): Promise<void> {
  flag.__arborBooted ??= (async () => {
    const { getDb } = await import("@/db/client");
    const db = await getDb();
    const env = getEnv();
    if (env.EVENT_LOOP_REPORT_MS) {
      const { startEventLoopReport } = await import("@/server/ops/event-loop-report");
      startEventLoopReport(env.EVENT_LOOP_REPORT_MS);
    }
    const { bootTasks, workers } = listJobs(env);
    for (const task of bootTasks) {
      try {
        await task.run(db);
      } catch (error) {
        console.error(`[arbor] boot task ${task.name} failed`, error);
      }
    }
    for (const worker of workers) startWorker(db, worker);
  })();
  return flag.__arborBooted;
}

function startWorker(db: Db, worker: Worker) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await worker.run(db);
    } catch (error) {
      console.error(`[arbor] worker ${worker.name} failed`, error);
    } finally {
      running = false;
    }
  };
  setInterval(tick, worker.intervalMs).unref();
  void tick();
}
