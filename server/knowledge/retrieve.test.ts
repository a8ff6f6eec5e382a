import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { chunks, sources } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { positiveLexemes, retrieveChunks } from "./retrieve";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function addSource(projectId: string, title: string, texts: string[], status: "ready" | "failed" | "processing" = "ready") {
  const [source] = await database.db
    .insert(sources)
    .values({ projectId, title, mediaType: "text/plain", origin: "paste", status, chunkCount: texts.length })
    .returning();
  if (!source) throw new Error("no source");
  let offset = 0;
  const rows = await database.db
    .insert(chunks)
    .values(
      texts.map((text, ordinal) => {
        const start = offset;
        offset += text.length + 2;
        return { sourceId: source.id, projectId, ordinal, text, tokenCount: Math.ceil(text.length / 4), startOffset: start, endOffset: start + text.length };
      }),
    )
    .returning();
  return { source, chunks: rows };
}

describe("retrieveChunks", () => {
  it("returns [] for an empty vault and an empty query", async () => {
    const { project } = await makeProject(database.db);
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "compost" })).toEqual([]);
    await addSource(project.id, "Notes", ["Compost needs nitrogen."]);
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "   " })).toEqual([]);
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "the of and" })).toEqual([]);
  });

  it("ranks the denser, more complete match first with relevance in 0..1", async () => {
    const { project } = await makeProject(database.db);
    const a = await addSource(project.id, "Garden guide", [
      "Tomatoes like sun. Water them in the morning.",
      "Compost: a compost heap turns kitchen scraps into compost. Turn the compost heap weekly.",
    ]);
    await addSource(project.id, "Recipes", ["Tomato soup with basil and a little compost-free cream."]);
    const results = await retrieveChunks(database.db, { projectId: project.id, query: "compost heap" });
    expect(results.length).toBeGreaterThanOrEqual(1);
    const [top] = results;
    expect(top?.chunkId).toBe(a.chunks[1]?.id);
    expect(top?.sourceTitle).toBe("Garden guide");
    expect(top?.ordinal).toBe(1);
    for (const r of results) {
      expect(r.relevance).toBeGreaterThan(0);
      expect(r.relevance).toBeLessThanOrEqual(1);
    }
    expect(top?.relevance).toBeGreaterThan(0.75);
  });

  it("falls back to the significant words of a natural-language question", async () => {
    const { project } = await makeProject(database.db);
    const s = await addSource(project.id, "Bees", ["Mason bees nest in hollow stems and pollinate early fruit trees."]);
    const results = await retrieveChunks(database.db, { projectId: project.id, query: "What does the vault say about pollination?" });
    expect(results.map((r) => r.chunkId)).toEqual([s.chunks[0]?.id]);
    // partial coverage of the question's terms is reflected in the score
    const partial = await retrieveChunks(database.db, { projectId: project.id, query: "pollinate submarines" });
    expect(partial[0]?.relevance).toBeLessThan(0.5);
  });

  it("sees only ready sources of the same project", async () => {
    const { project } = await makeProject(database.db);
    const other = await makeProject(database.db);
    await addSource(other.project.id, "Elsewhere", ["Quinces ripen late."]);
    await addSource(project.id, "Failed", ["Quinces are failed here."], "failed");
    await addSource(project.id, "Pending", ["Quinces are pending here."], "processing");
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "quinces" })).toEqual([]);
    const ready = await addSource(project.id, "Ready", ["Quinces make jelly."]);
    expect((await retrieveChunks(database.db, { projectId: project.id, query: "quinces" })).map((r) => r.sourceId)).toEqual([
      ready.source.id,
    ]);
    await database.db.delete(sources).where(eq(sources.id, ready.source.id));
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "quinces" })).toEqual([]);
  });

  it("honours websearch syntax and the limit, and is safe with odd input", async () => {
    const { project } = await makeProject(database.db);
    await addSource(
      project.id,
      "Many",
      Array.from({ length: 12 }, (_, i) => `Apple note ${i} ${i % 2 === 0 ? "with pears" : "alone"}.`),
    );
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "apple", limit: 5 })).toHaveLength(5);
    const noPears = await retrieveChunks(database.db, { projectId: project.id, query: "apple -pears", limit: 50 });
    expect(noPears).toHaveLength(6);
    expect(noPears.every((r) => !r.text.includes("pears"))).toBe(true);
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "'); drop table chunks; --" })).toEqual([]);
    expect(await retrieveChunks(database.db, { projectId: project.id, query: "\"apple note\" & | ! :*" })).not.toHaveLength(0);
  });

  it("parses positive lexemes of a tsquery", () => {
    expect(positiveLexemes("'compost' & !'heap' | 'o''neil'")).toEqual(["compost", "o'neil"]);
  });
});
