import "server-only";
import type { Db } from "@/db/client";

type Task = { name: string; run: (db: Db) => Promise<void> };
type Worker = Task & { intervalMs: number };

const tasks: Task[] = [];
const workers: Worker[] = [];

/** One-off start-up work, run once per process after migrations (e.g. marking crashed streams interrupted). */
export function registerBootTask(name: string, run: (db: Db) => Promise<void>): void {
  tasks.push({ name, run });
}

/** A background loop (mail sender, knowledge processing, …). Work is claimed in the database, so several instances can run it. */
export function registerWorker(name: string, intervalMs: number, run: (db: Db) => Promise<void>): void {
  workers.push({ name, intervalMs, run });
}

const flag = globalThis as typeof globalThis & { __arborBooted?: Promise<void> };

/** Called from instrumentation.ts once per server process. */
export function boot(): Promise<void> {
  flag.__arborBooted ??= (async () => {
    await import("./boot-tasks");
    const { getDb } = await import("@/db/client");
    const db = await getDb();
    for (const task of tasks) {
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
