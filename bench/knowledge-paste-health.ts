import { sql } from "drizzle-orm";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { processPendingSources } from "@/server/knowledge/process";
import { addPastedText } from "@/server/knowledge/sources";

/**
 * GET /api/health's query (`select 1`) probed every 25 ms while a
 * 2-million-character CSV paste is processed, against the same probes with
 * nothing to do (the baseline). Reading runs in a worker thread and chunks
 * are indexed ten per statement, so the probes should barely move.
 */
export async function run(): Promise<void> {
  const database = await createTestDatabase();
  const db = database.db;
  try {
    const probe = async () => {
      const started = performance.now();
      await db.execute(sql`select 1`);
      return performance.now() - started;
    };
    const summary = (label: string, ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0).toFixed(1);
      console.log(`${label.padEnd(28)} probes ${String(ms.length).padStart(4)}  p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${at(1)} ms`);
      return sorted.at(-1) ?? 0;
    };
    const idle: number[] = [];
    for (let i = 0; i < 80; i++) {
      idle.push(await probe());
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const base = summary("idle (baseline)", idle);

    const { owner, project } = await makeProject(db);
    await db.execute(sql`update projects set storage_quota_bytes = 100000000 where id = ${project.id}`);
    const rows = Array.from({ length: 80_000 }, (_, i) => `${i},orchard ${i % 97},${(i * 7) % 1000},north field,apples`);
    const csv = `id,block,trees,field,crop\n${rows.join("\n")}`.slice(0, 2_000_000);
    let started = performance.now();
    await addPastedText(db, { projectId: project.id, userId: owner.id, title: "Orchard inventory", text: csv });
    console.log(`paste stored in ${(performance.now() - started).toFixed(0)} ms`);
    started = performance.now();
    let finished = false;
    const processing = processPendingSources(db).finally(() => {
      finished = true;
    });
    const busy: number[] = [];
    while (!finished) {
      busy.push(await probe());
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await processing;
    console.log(`processed in ${(performance.now() - started).toFixed(0)} ms`);
    const worst = summary("while processing 2M chars", busy);
    console.log(`worst probe / worst idle probe: ${(worst / Math.max(base, 0.1)).toFixed(1)}×`);
  } finally {
    await database.close();
  }
}
