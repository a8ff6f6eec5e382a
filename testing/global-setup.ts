import { ensurePgliteDump, ensurePostgresTemplate } from "./migrated-template";

/**
 * Vitest runs this once before the test files: the migrated PGlite dump and
 * Postgres template are built here, not by several workers at once.
 */
export default async function setup(): Promise<void> {
  await ensurePgliteDump();
  if (process.env.TEST_DATABASE_URL) await ensurePostgresTemplate(process.env.TEST_DATABASE_URL);
}
