import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "./client";
import { users } from "./schema";
import { createTestDatabase } from "@/testing/database";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe("schema and migrations", () => {
  it("creates every table and enforces case-insensitive unique email", async () => {
    const { db } = database;
    await db.insert(users).values({ email: "ada@example.com" });
    await expect(db.insert(users).values({ email: "ADA@example.com" })).rejects.toThrow();
    const found = await db.select().from(users).where(eq(users.email, "ada@example.com"));
    expect(found).toHaveLength(1);
  });

  it("generates a tsvector for chunks", async () => {
    const rows = await queryRows<{ v: string }>(database.db, sql`select to_tsvector('english', 'branching trees') as v`);
    expect(String(rows[0]?.v)).toContain("branch");
  });
});
