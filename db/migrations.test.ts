import { eq, is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { type Database, queryRows } from "./client";
import { refusalOf, refuseWhen } from "./refuse";
import * as schema from "./schema";
import { chunks, sources, users } from "./schema";

/** The migrations in drizzle/ must build exactly the schema in db/schema/, on both drivers. */
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const tables = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableConfig(table));

describe("schema and migrations", () => {
  it("create every table of the schema with exactly its columns and their nullability", async () => {
    const rows = await queryRows<{ table_name: string; column_name: string; is_nullable: "YES" | "NO" }>(
      database.db,
      sql`select table_name, column_name, is_nullable from information_schema.columns where table_schema = 'public'`,
    );
    const inDatabase = new Map<string, string[]>();
    for (const row of rows) inDatabase.set(row.table_name, [...(inDatabase.get(row.table_name) ?? []), `${row.column_name}${row.is_nullable === "NO" ? "!" : ""}`]);
    expect(tables.length).toBeGreaterThan(20);
    for (const table of tables) {
      const declared = table.columns.map((c) => `${c.name}${c.notNull ? "!" : ""}`).sort();
      expect(inDatabase.get(table.name)?.sort(), `table ${table.name}`).toEqual(declared);
    }
    // and nothing the schema does not know about
    expect([...inDatabase.keys()].sort()).toEqual(tables.map((t) => t.name).sort());
  });

  it("create every index the schema declares, on the columns it names", async () => {
    const rows = await queryRows<{ indexname: string; indexdef: string }>(database.db, sql`select indexname, indexdef from pg_indexes where schemaname = 'public'`);
    const defs = new Map(rows.map((r) => [r.indexname, r.indexdef]));
    const declared = tables.flatMap((table) => table.indexes.map((index) => ({ table: table.name, index: index.config })));
    expect(declared.length).toBeGreaterThan(20);
    for (const { table, index } of declared) {
      const def = defs.get(index.name ?? "");
      expect(def, `index ${index.name} on ${table}`).toBeDefined();
      expect(def).toContain(` ON public.${table} `);
      if (index.unique) expect(def, `index ${index.name}`).toMatch(/^CREATE UNIQUE INDEX/);
    }
  });

  it("keep emails unique case-insensitively", async () => {
    const { db } = database;
    await db.insert(users).values({ email: "ada@example.com" });
    await expect(db.insert(users).values({ email: "ADA@example.com" })).rejects.toThrow();
    const found = await db.select().from(users).where(eq(users.email, "ada@example.com"));
    expect(found).toHaveLength(1);
  });

  it("fill chunks.tsv from a chunk's heading and text, searched through its GIN index, and refresh it on change", async () => {
    const { db } = database;
    const { project, owner } = await makeProject(db);
    const [source] = await db.insert(sources).values({ projectId: project.id, title: "Trees", mediaType: "text/plain", origin: "paste", addedBy: owner.id }).returning();
    if (!source) throw new Error("source insert returned nothing");
    const [chunk] = await db
      .insert(chunks)
      .values({ sourceId: source.id, projectId: project.id, ordinal: 0, heading: "Orchards", text: "Branching conversations", tokenCount: 3 })
      .returning({ id: chunks.id });
    if (!chunk) throw new Error("chunk insert returned nothing");
    const vector = async () => (await queryRows<{ v: string }>(db, sql`select tsv::text as v from chunks where id = ${chunk.id}`))[0]?.v ?? "";
    expect(await vector()).toMatch(/'orchard'.*'branch'|'branch'.*'orchard'/);
    const found = await queryRows<{ id: string }>(db, sql`select id from chunks where tsv @@ websearch_to_tsquery('english', 'branches') and project_id = ${project.id}`);
    expect(found.map((r) => r.id)).toEqual([chunk.id]);
    await db.update(chunks).set({ text: "Leaves only" }).where(eq(chunks.id, chunk.id));
    expect(await vector()).not.toContain("branch");
    const [index] = await queryRows<{ indexdef: string }>(db, sql`select indexdef from pg_indexes where indexname = 'chunks_tsv_idx'`);
    expect(index?.indexdef).toMatch(/USING gin \(tsv\)/);
  });

  it("install arbor_refuse(), which undoes the whole statement and names its reason", async () => {
    const { db } = database;
    const email = "refused@example.com";
    const statement = sql`with added as (insert into users (email) values (${email}) returning id) select id, ${refuseWhen(sql`'over_budget'`)} from added`;
    const error = await queryRows(db, statement).then(() => null, (e: unknown) => e);
    expect(refusalOf(error)).toBe("over_budget");
    expect(await db.select().from(users).where(eq(users.email, email))).toEqual([]);
  });
});
