import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Database, openDatabase } from "@/db/client";
import { ensurePostgresTemplate, openMigratedPglite } from "./migrated-template";

/**
 * A fresh, migrated database for one test file. PGlite in memory by default;
 * with TEST_DB=postgres, a new database on TEST_DATABASE_URL's server that is
 * dropped again by `close()` — so the same suite pins both drivers. Both start
 * from the migrations applied once per run (./migrated-template.ts).
 */
export async function createTestDatabase(): Promise<Database> {
  const target = process.env.TEST_DB ?? "pglite";
  if (target === "pglite") return openMigratedPglite();
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
  const template = await ensurePostgresTemplate(adminUrl);
  const name = `arbor_t_${randomBytes(6).toString("hex")}`;
  const admin = await openDatabase({ url: adminUrl });
  await admin.db.execute(sql.raw(`create database ${name} template ${template}`));
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  return {
    ...database,
    close: async () => {
      await database.close();
      const again = await openDatabase({ url: adminUrl });
      await again.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
      await again.close();
    },
  };
}
