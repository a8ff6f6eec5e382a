/**
 * Deep trees: a branch of depth 2,000 in a chat of 20,000 messages, read with
 * the one recursive query of server/chat/tree.ts (readPath). Prints p50/p95
 * per driver; target p95 ≤ 25 ms on Postgres (docs/chat.md, "Benchmarks").
 *
 * Run alone: npx tsx --conditions=react-server bench/chat-deep-tree.ts
 */
import { randomUUID } from "node:crypto";
import { messages } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { createChat } from "@/server/chat/chats";
import { readPath } from "@/server/chat/tree";
import { makeProject } from "@/testing/fixtures";

const DEPTH = 2_000;
const TOTAL = 20_000;
const RUNS = 60;

export type DeepTreeResult = { driver: string; depth: number; total: number; p50Ms: number; p95Ms: number };

async function runOn(driver: "pglite" | "postgres"): Promise<DeepTreeResult> {
  process.env.TEST_DB = driver;
  const database = await createTestDatabase();
  try {
    const { db } = database;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const rows: Array<typeof messages.$inferInsert> = [];
    const ids: string[] = [];
    const base = Date.now() - TOTAL * 1000;
    for (let i = 0; i < DEPTH; i++) {
      const id = randomUUID();
      rows.push({ id, chatId: chat.id, parentId: ids[i - 1] ?? null, role: i % 2 === 0 ? "user" : "assistant", content: `chain message ${i}`, createdAt: new Date(base + i * 1000) });
      ids.push(id);
    }
    // the rest hangs off random earlier messages: siblings and side branches all over the tree
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = DEPTH; i < TOTAL; i++) {
      const id = randomUUID();
      const parentId = ids[Math.floor(random() * ids.length)] ?? null;
      rows.push({ id, chatId: chat.id, parentId, role: i % 2 === 0 ? "user" : "assistant", content: `side message ${i}`, createdAt: new Date(base + i * 1000) });
      ids.push(id);
    }
    for (let i = 0; i < rows.length; i += 1_000) await db.insert(messages).values(rows.slice(i, i + 1_000));
    await db.execute("analyze messages" as never);
    const tip = ids[DEPTH - 1] ?? null;

    const timings: number[] = [];
    for (let r = 0; r < RUNS + 5; r++) {
      const t0 = performance.now();
      const path = await readPath(db, { chatId: chat.id, tipMessageId: tip });
      const ms = performance.now() - t0;
      if (path.length !== DEPTH) throw new Error(`expected ${DEPTH} messages, got ${path.length}`);
      if (r >= 5) timings.push(ms); // the first reads warm caches and plans
    }
    timings.sort((a, b) => a - b);
    return {
      driver,
      depth: DEPTH,
      total: TOTAL,
      p50Ms: timings[Math.floor(timings.length / 2)] ?? 0,
      p95Ms: timings[Math.ceil(timings.length * 0.95) - 1] ?? 0,
    };
  } finally {
    await database.close();
  }
}

export async function run(): Promise<DeepTreeResult[]> {
  const drivers: Array<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const results: DeepTreeResult[] = [];
  for (const driver of drivers) {
    const r = await runOn(driver);
    results.push(r);
    const target = driver === "postgres" ? ` (target ≤ 25 ms: ${r.p95Ms <= 25 ? "met" : "MISSED"})` : "";
    console.log(`chat deep tree [${r.driver}]: branch of depth ${r.depth} in a chat of ${r.total} messages, one recursive query → p50 ${r.p50Ms.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms${target}`);
  }
  if (!process.env.TEST_DATABASE_URL) console.log("chat deep tree [postgres]: skipped (set TEST_DATABASE_URL to run it)");
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
