/**
 * `npm run db:migrate`: apply drizzle/ to DATABASE_URL (postgres.js) or, without
 * it, to the embedded PGlite in .data/ (ARBOR_DATA_DIR). Do not run it against a
 * PGlite directory while the app is running: one process per data dir (docs/architecture.md#processes-and-instances).
 * The app also migrates by itself at start.
 */
import { openDatabase } from "../db/client";
import { resolveDataDir } from "../db/data-dir";
import { getDatabaseEnv } from "../db/env";
import { runMigrations } from "../db/migrate";

const url = getDatabaseEnv().DATABASE_URL;
const database = await openDatabase(url ? { url } : { dataDir: resolveDataDir("pglite") });
await runMigrations(database);
await database.close();
console.log(`[arbor] migrations applied to ${url ? "Postgres" : "PGlite"}`);
