import { randomBytes } from "node:crypto";
import { type Database, openDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";

/**
 * A fresh, migrated database for one test file. PGlite in memory by default;
 * with TEST_DB=postgres, a new database on TEST_DATABASE_URL's server that is
 * dropped again by `close()` — so the same suite pins both drivers.
 */
export async function createTestDatabase(): Promise<Database> {
  const target = process.env.TEST_DB ?? "pglite";
  if (target === "pglite") {
    const database = await openDatabase({ dataDir: "memory://" });
    await runMigrations(database);
    return database;
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
  const name = `arbor_t_${randomBytes(6).toString("hex")}`;
  const admin = await openDatabase({ url: adminUrl });
  await admin.db.execute(`create database ${name}` as never);
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString() });
  await runMigrations(database);
  return {
    ...database,
    close: async () => {
      await database.close();
      const again = await openDatabase({ url: adminUrl });
      await again.db.execute(`drop database if exists ${name} with (force)` as never);
      await again.close();
    },
  };
}
