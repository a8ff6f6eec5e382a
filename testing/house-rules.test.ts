import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Rules of the repository that no compiler checks. The import rules are in .dependency-cruiser.cjs. */
const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

function sources(dir: string, { tests = false }: { tests?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(file, { tests }));
    else if (/\.tsx?$/.test(entry.name) && (tests || !/\.(test|spec)\.tsx?$/.test(entry.name))) out.push(file);
  }
  return out;
}
const production = ["app", "components", "server", "db", "lib"].flatMap((dir) => sources(dir));

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

describe("documentation", () => {
  it("stands alone: no comment or doc points at papers outside the repository", () => {
    const docs = ["README.md", "DEVELOPERS.md", ...readdirSync(path.join(root, "docs")).map((f) => `docs/${f}`)];
    const code = ["app", "components", "server", "db", "lib", "testing", "e2e", "bench", "scripts"].flatMap((dir) => sources(dir, { tests: true }));
    const outside = /\bDESIGN\b|\bCONTRACTS\b|§\s*\d|\b[Ii]ssue \d+\b|\bseed \d{3}\b/;
    const pointing = [...docs, ...code].flatMap((file) =>
      read(file)
        .split("\n")
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        .filter(({ line }) => outside.test(line))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    expect(pointing).toEqual([]);
  });
});

