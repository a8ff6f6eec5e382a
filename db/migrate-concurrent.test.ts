import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, queryRows } from "./client";
import { runMigrations } from "./migrate";

/**
 * Several instances started at once on a fresh (or freshly upgraded) Postgres
 * each apply the migrations (docs/scaling.md): none may fail. An instance whose
 * start-up migration failed never starts its background work — on another
 * instance's database that includes the sweeper that finds dead producers.
 * PGlite is one process's own database, so this is Postgres only.
 */
describe.skipIf(process.env.TEST_DB !== "postgres")("migrations applied by several instances at once", () => {
  it("all succeed, and the migrations are recorded once", async () => {
    const adminUrl = process.env.TEST_DATABASE_URL as string;
    const name = `arbor_t_mig_${randomBytes(5).toString("hex")}`;
    const admin = await openDatabase({ url: adminUrl });
    await admin.db.execute(sql.raw(`create database ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ url: url.toString() })));
    try {
      const outcomes = await Promise.allSettled(instances.map((instance) => runMigrations(instance)));
      expect(outcomes.map((o) => (o.status === "rejected" ? String(o.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
      const [applied] = await queryRows<{ n: number; distinct_n: number }>(
        instances[0]?.db as never,
        sql`select count(*)::int as n, count(distinct hash)::int as distinct_n from drizzle.__drizzle_migrations`,
      );
      expect(applied?.n).toBe(applied?.distinct_n);
      expect(applied?.n).toBeGreaterThan(10);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
      await admin.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
      await admin.close();
    }
  });
});
