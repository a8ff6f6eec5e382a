import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { sources } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { processPendingSources } from "./process";
import { addPastedText } from "./sources";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

/** What GET /api/health does (one `select 1` on the process's database), timed from the caller's side. */
async function healthProbe(): Promise<number> {
  const started = performance.now();
  await database.db.execute(sql`select 1`);
  return performance.now() - started;
}

describe("a 2-million-character CSV paste", () => {
  it("is processed while the health check keeps answering within 200 ms", { timeout: 180_000 }, async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    await db.execute(sql`update projects set storage_quota_bytes = 100000000 where id = ${project.id}`);
    const rows = Array.from({ length: 80_000 }, (_, i) => `${i},orchard ${i % 97},${(i * 7) % 1000},north field,apples`);
    const csv = `id,block,trees,field,crop\n${rows.join("\n")}`.slice(0, 2_000_000);
    expect(csv.length).toBe(2_000_000);
    const { source } = await addPastedText(db, { projectId: project.id, userId: owner.id, title: "Orchard inventory", text: csv });

    let finished = false;
    const processing = processPendingSources(db).finally(() => {
      finished = true;
    });
    const latencies: number[] = [];
    while (!finished) {
      latencies.push(await healthProbe());
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await processing;

    const [done] = await db.select().from(sources).where(eq(sources.id, source.id));
    expect(done?.status).toBe("ready");
    expect(done?.chunkCount).toBeGreaterThan(1_000);
    expect(done?.summary).toMatch(/^id,block,trees,field,crop/);
    // It really was being processed while we asked (not finished before the first probe).
    expect(latencies.length).toBeGreaterThan(5);
    // Every probe within 200 ms, but for the odd one a shared, busy machine (two cores, other test files
    // in parallel) delays by scheduling alone: 19 in 20 under 200 ms, none past a second. Before the work
    // moved off the event loop, probes waited seconds and only two fitted into the whole run.
    // bench/knowledge-paste-health.ts measures the same on a quiet machine.
    const shown = `probe latencies (ms): ${latencies.map(Math.round).join(" ")}`;
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length * 0.95)] ?? Number.POSITIVE_INFINITY, shown).toBeLessThan(200);
    expect(Math.max(...latencies), shown).toBeLessThan(1_000);
  });
});
