import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Rules of the repository that no compiler checks. The import rules are in .dependency-cruiser.cjs. */
const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(file));
    else if (/\.tsx?$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name)) out.push(file);
  }
  return out;
}
const production = ["app", "components", "server", "db", "lib"].flatMap(sources);

describe("install and run the same everywhere", () => {
  it("npm start and npm run dev take the port from PORT (Next's default 3000), never a pinned one", () => {
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    for (const name of ["start", "dev"]) {
      expect(scripts[name]).toMatch(/^next (start|dev)\b/);
      expect(scripts[name]).not.toMatch(/(^|\s)(-p|--port)(\s|=|$)/);
    }
  });

  it("CI installs exactly what the lockfile says", () => {
    expect(read(".ci/run")).toMatch(/^\s*npm ci\b/m);
    expect(read(".ci/run")).not.toMatch(/^\s*npm (install|i)\b/m);
  });
});

describe("configuration", () => {
  it("is read from the environment only by server/env.ts and, for the database layer, db/env.ts", () => {
    const readers = production.filter((file) => /process\.env\b/.test(read(file)));
    expect(readers.sort()).toEqual(["db/env.ts", "server/env.ts"]);
  });
});
