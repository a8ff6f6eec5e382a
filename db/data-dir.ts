import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { getDatabaseEnv } from "./env";

/**
 * Where the embedded database and generated dev secrets live. `ARBOR_DATA_DIR`
 * lets tests and parallel dev servers each have their own (docs/architecture.md#processes-and-instances: never two
 * processes on one PGlite directory).
 */
export function resolveDataDir(sub?: string): string {
  // turbopackIgnore: the data dir is chosen at run time; tracing it would pull the whole project into the build output.
  const root = path.resolve(/* turbopackIgnore: true */ getDatabaseEnv().ARBOR_DATA_DIR ?? path.join(/* turbopackIgnore: true */ process.cwd(), ".data"));
  const dir = sub ? path.join(root, sub) : root;
  mkdirSync(dir, { recursive: true });
  return dir;
}
