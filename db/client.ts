import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import { resolveDataDir } from "./data-dir";
import { getDatabaseEnv } from "./env";
import { tunePglite } from "./pglite-tuning";
import { prepareStatements } from "./postgres-tuning";
import { countPgliteStatements, countPostgresStatements } from "./statement-count";
import * as schema from "./schema";

/**
 * Every domain function takes a `Db` first. A transaction is a `Db` too, so
 * the same function runs inside or outside one.
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Driver = "pglite" | "postgres";

export type Database = {
  db: Db;
  driver: Driver;
  close: () => Promise<void>;
  /** PGlite only: the whole data directory as a tarball (openDatabase's `fromDump` loads one). */
  dump?: () => Promise<Blob>;
};

type Holder = { database?: Promise<Database> };
// Next.js may evaluate this module several times in one process; PGlite must be
// opened once per process (two instances on one data dir silently lose rows).
const holder = globalThis as typeof globalThis & { __arborDb?: Holder };
const state: Holder = (holder.__arborDb ??= {});

/**
 * Open a database. `url` = postgres.js; otherwise PGlite at `dataDir` (or in
 * memory with "memory://"), starting from the data directory in `fromDump`
 * when given (a `dump()` of another PGlite database).
 */
export async function openDatabase(options: { url?: string; dataDir?: string; fromDump?: Blob }): Promise<Database> {
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client: Sql = postgres(options.url, {
      max: getDatabaseEnv().DATABASE_POOL_SIZE,
      onnotice: () => {},
      // bigint columns come back as JS bigint (money is micro-USD integers)
      types: { bigint: { to: 20, from: [20], serialize: (x: bigint) => x.toString(), parse: (x: string) => BigInt(x) } },
    });
    prepareStatements(client);
    countPostgresStatements(client);
    const db = drizzle(client, { schema }) as unknown as Db;
    return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const client: PGlite = await PGlite.create({ dataDir: options.dataDir ?? "memory://", loadDataDir: options.fromDump });
  tunePglite(client);
  countPgliteStatements(client);
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, driver: "pglite", close: () => client.close(), dump: async () => (await client.dumpDataDir("none")) as Blob };
}

/**
 * The process's database, opened lazily on first use — never at import time,
 * because `next build` evaluates modules and must not touch a database.
 * Migrations are applied by the first caller (see server/boot.ts).
 */
export function getDatabase(): Promise<Database> {
  state.database ??= (async () => {
    const url = getDatabaseEnv().DATABASE_URL;
    const database = await openDatabase(url ? { url } : { dataDir: resolveDataDir("pglite") });
    const { runMigrations } = await import("./migrate");
    await runMigrations(database);
    return database;
  })().catch((error: unknown) => {
    state.database = undefined;
    throw error;
  });
  return state.database;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** Rows of a raw query, whichever driver answered (PGlite returns {rows}, postgres.js an array). */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export { schema };
