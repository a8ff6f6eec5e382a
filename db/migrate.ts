import "server-only";
import path from "node:path";
import type { Database } from "./client";

export const MIGRATIONS_FOLDER = path.join(/* turbopackIgnore: true */ process.cwd(), "drizzle");

/** Apply drizzle-kit's migrations from `drizzle/` with the driver's own migrator. */
export async function runMigrations(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  if (database.driver === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // biome-ignore lint/suspicious/noExplicitAny: the migrator wants the concrete driver type; Db is its supertype
    await migrate(database.db as any, { migrationsFolder });
  } else {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    // biome-ignore lint/suspicious/noExplicitAny: as above
    await migrate(database.db as any, { migrationsFolder });
  }
}
