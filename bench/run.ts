/**
 * `npm run bench`: every benchmark under bench/ (files exporting `run()`), one after
 * another, each printing its figures and a ratio against a baseline measured in the
 * same run. Not part of `npm test`: timings on a shared 2-core machine are evidence,
 * not pass/fail. `npm run bench -- canvas` runs only files whose name contains "canvas";
 * `npm run bench -- search` only bench/search.ts, as a name matching a file exactly wins.
 * Runs under the react-server condition so `server-only` modules load outside Next.js.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const filter = process.argv[2];
const dir = import.meta.dirname;
const all = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".test.ts"));
// A filter naming a file exactly (`search` → bench/search.ts) runs that one; otherwise every file containing it.
const files = filter && all.includes(`${filter}.ts`) ? [`${filter}.ts`] : all.filter((f) => !filter || f.includes(filter)).sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") continue;
  console.log(`\n── ${file} ${"─".repeat(Math.max(0, 60 - file.length))}`);
  const started = performance.now();
  await mod.run();
  console.log(`(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
