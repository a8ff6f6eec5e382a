import "server-only";
import path from "node:path";

export const MIGRATIONS_FOLDER = path.join(/* turbopackIgnore: true */ process.cwd(), "drizzle");

/** What the migrators need of an open database (db/client.ts's Database; named here so the two do not import each other). */
type Migratable = { db: unknown; driver: "pglite" | "postgres" };

/** Apply drizzle-kit's migrations from `drizzle/` with the driver's own migrator. */
export async function runMigrations(database: Migratable, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
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
