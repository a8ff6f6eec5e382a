/**
 * Runs once when a Next.js server process starts: validate the environment,
 * open the database (applying migrations from the app's own PGlite instance —
 * never a second process: docs/architecture.md#processes-and-instances) and start background work.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("./server/env");
  getEnv();
  const { boot } = await import("./server/boot");
  await boot();
}
