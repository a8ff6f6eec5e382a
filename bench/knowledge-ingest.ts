/**
 * Ingest 1,000 documents (~5 MB of markdown text) through the real pipeline —
 * store the original blob and a processing source, then the worker's
 * extract → chunk → summarise → index — and report documents per second.
 * Baseline measured in the same run: storing the same bytes as blobs only
 * (the floor any ingest pays), so the ratio is the cost of making them searchable.
 *
 * Run alone: npx tsx --conditions=react-server bench/knowledge-ingest.ts
 */
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { createTestDatabase } from "@/testing/database";
import { putBlob } from "@/server/knowledge/blobs";
import { processPendingSources } from "@/server/knowledge/process";
import { addUploadedFile } from "@/server/knowledge/sources";
import { makeProject } from "@/testing/fixtures";

const DOCS = Number(process.env.BENCH_DOCS ?? 1_000);
const DOC_BYTES = 5_000;

export type KnowledgeIngestResult = { driver: string; docs: number; megabytes: number; chunks: number; docsPerSecond: number; baselineDocsPerSecond: number; ratio: number };

const WORDS = "orchard apple pear plum quince medlar compost mulch prune graft rootstock blossom pollinate bee frost soil loam clay sand water drain sun shade spring summer autumn winter harvest store jam cider variety espalier cordon standard dwarf vigour canker scab aphid codling moth".split(" ");

function documentText(i: number): string {
  let seed = i + 1;
  const word = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return WORDS[seed % WORDS.length] ?? "tree";
  };
  const parts: string[] = [`# Document ${i}`];
  let size = 0;
  let section = 0;
  while (size < DOC_BYTES) {
    if (size > section * 1_500) parts.push(`## Section ${++section} on ${word()}`);
    const sentence = `${Array.from({ length: 12 }, word).join(" ")}.`;
    parts.push(sentence.charAt(0).toUpperCase() + sentence.slice(1));
    size += sentence.length + 2;
  }
  return parts.join("\n\n");
}

async function runOn(driver: "pglite" | "postgres"): Promise<KnowledgeIngestResult> {
  process.env.TEST_DB = driver;
  const database = await createTestDatabase();
  try {
    const { db } = database;
    const { owner, project } = await makeProject(db);
    const docs = Array.from({ length: DOCS }, (_, i) => new TextEncoder().encode(documentText(i)));
    const megabytes = docs.reduce((n, d) => n + d.length, 0) / 1024 / 1024;

    // baseline: the same bytes, slightly altered so they are new blobs, stored without any processing
    const b0 = performance.now();
    for (const [i, d] of docs.entries()) await putBlob(db, { bytes: new Uint8Array([...d, 32, i % 256]), mime: "text/markdown" });
    const baselineSeconds = (performance.now() - b0) / 1000;

    const t0 = performance.now();
    for (const [i, bytes] of docs.entries()) await addUploadedFile(db, { projectId: project.id, userId: owner.id, filename: `doc-${i}.md`, bytes });
    while ((await processPendingSources(db, { max: 100 })) > 0) {}
    const seconds = (performance.now() - t0) / 1000;

    const [counts] = await queryRows<{ ready: number; chunks: number }>(
      db,
      sql`select (select count(*) from sources where status = 'ready')::int as ready, (select count(*) from chunks)::int as chunks`,
    );
    if (counts?.ready !== DOCS) throw new Error(`expected ${DOCS} ready sources, got ${counts?.ready}`);
    const docsPerSecond = DOCS / seconds;
    const baselineDocsPerSecond = DOCS / baselineSeconds;
    return { driver, docs: DOCS, megabytes, chunks: counts.chunks, docsPerSecond, baselineDocsPerSecond, ratio: docsPerSecond / baselineDocsPerSecond };
  } finally {
    await database.close();
  }
}

export async function run(): Promise<KnowledgeIngestResult[]> {
  const driver = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
  const r = await runOn(driver);
  console.log(
    `knowledge ingest [${r.driver}]: ${r.docs} documents (${r.megabytes.toFixed(1)} MB, ${r.chunks} chunks) → ${r.docsPerSecond.toFixed(1)} docs/s; ` +
      `blob-only baseline ${r.baselineDocsPerSecond.toFixed(1)} docs/s → full ingest runs at ${(r.ratio * 100).toFixed(0)}% of the baseline's rate`,
  );
  return [r];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
