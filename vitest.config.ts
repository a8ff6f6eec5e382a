import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Every test file runs on PGlite; when TEST_DATABASE_URL is set the same files
 * run again against real Postgres: integration tests pin both drivers.
 */
const shared = {
  include: ["lib/**/*.test.ts", "testing/**/*.test.ts", "server/**/*.test.ts", "db/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts", "bench/**/*.test.ts"],
  // fails any test during which a charge passed its hold (a billing incident)
  setupFiles: ["./vitest.setup.ts"],
  // migrates once per run; each file's database starts from the result (testing/migrated-template.ts)
  globalSetup: ["./testing/global-setup.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};
const projects = [{ extends: true as const, test: { ...shared, name: "pglite", env: { TEST_DB: "pglite" } } }];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ extends: true as const, test: { ...shared, name: "postgres", env: { TEST_DB: "postgres" } } });
}

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname), "server-only": path.resolve(import.meta.dirname, "scripts/empty-module.ts") } },
  test: { projects, pool: "forks", maxWorkers: 2 },
});
