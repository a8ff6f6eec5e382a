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
    await migrateRacing(() => migrate(database.db as any, { migrationsFolder }));
  }
}

/**
 * Several instances starting at once on one Postgres (a deploy) each migrate.
 * drizzle's migrator reads what was applied, then applies the rest in one
 * transaction, so two can race: the loser's CREATE fails once the winner
 * commits, and its transaction rolls back whole. Run again, it finds the
 * winner's migrations applied and has nothing left to do. (Not a session
 * advisory lock: behind a transaction-mode pooler its unlock can land on
 * another server connection and the lock would leak.) docs/scaling.md.
 */
async function migrateRacing(apply: () => Promise<void>, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await apply();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
    }
  }
}
