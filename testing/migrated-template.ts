import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, queryRows } from "@/db/client";
import { MIGRATIONS_FOLDER, runMigrations } from "@/db/migrate";

/**
 * Every test file wants a freshly migrated database. Starting PGlite (its
 * initdb, in WebAssembly) and applying every migration took seconds on an idle
 * machine and past a minute on a loaded one, so the migrations are applied
 * once per run and each file starts from the result instead: PGlite loads a
 * dump of the migrated data directory, Postgres clones a migrated template
 * database. Both are keyed by a fingerprint of drizzle/, so a new or edited
 * migration builds a new one; migrations themselves are still applied from
 * scratch by that build, by every app start, and by the concurrent-migration test.
 */

/** sha256 of every file in drizzle/ (names and contents), first 16 hex digits. */
export async function migrationsFingerprint(): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else hash.update(path.relative(MIGRATIONS_FOLDER, full)).update("\0").update(await readFile(full)).update("\0");
    }
  };
  await walk(MIGRATIONS_FOLDER);
  return hash.digest("hex").slice(0, 16);
}

// Under node_modules/.cache so `npm ci` clears it and git never sees it.
const CACHE_DIR = path.join(process.cwd(), "node_modules", ".cache", "arbor-tests");

const exists = (file: string) => stat(file).then(() => true, () => false);

/** The path of a dump of a migrated PGlite data directory, built first if this fingerprint has none. */
export async function ensurePgliteDump(): Promise<string> {
  const file = path.join(CACHE_DIR, `pglite-migrated-${await migrationsFingerprint()}.tar`);
  if (await exists(file)) return file;
  const database = await openDatabase({ dataDir: "memory://" });
  try {
    await runMigrations(database);
    if (!database.dump) throw new Error("a PGlite database can be dumped");
    const dump = await database.dump();
    await mkdir(CACHE_DIR, { recursive: true });
    // Written aside and renamed: a worker never reads half a dump, and two that build at once both succeed.
    const partial = `${file}.${randomBytes(4).toString("hex")}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
  } finally {
    await database.close();
  }
  return file;
}

/** A migrated PGlite database in memory, loaded from the dump. */
export async function openMigratedPglite() {
  const dump = new Blob([await readFile(await ensurePgliteDump())]);
  return openDatabase({ dataDir: "memory://", fromDump: dump });
}

/**
 * The name of a migrated template database on `adminUrl`'s server, built
 * first if this fingerprint has none. It is built under a temporary name and
 * renamed when complete, so a clone never copies a half-migrated template.
 */
export async function ensurePostgresTemplate(adminUrl: string): Promise<string> {
  const name = `arbor_tpl_${await migrationsFingerprint()}`;
  const admin = await openDatabase({ url: adminUrl });
  try {
    const found = await queryRows<{ n: number }>(admin.db, sql`select count(*)::int as n from pg_database where datname = ${name}`);
    if ((found[0]?.n ?? 0) > 0) return name;
    const building = `${name}_b${randomBytes(3).toString("hex")}`;
    await admin.db.execute(sql.raw(`create database ${building}`));
    const url = new URL(adminUrl);
    url.pathname = `/${building}`;
    const target = await openDatabase({ url: url.toString() });
    try {
      await runMigrations(target);
    } finally {
      await target.close();
    }
    try {
      await admin.db.execute(sql.raw(`alter database ${building} rename to ${name}`));
    } catch (error) {
      // Another run finished the same template first: keep theirs.
      await admin.db.execute(sql.raw(`drop database if exists ${building} with (force)`));
      const again = await queryRows<{ n: number }>(admin.db, sql`select count(*)::int as n from pg_database where datname = ${name}`);
      if ((again[0]?.n ?? 0) === 0) throw error;
    }
    return name;
  } finally {
    await admin.close();
  }
}
