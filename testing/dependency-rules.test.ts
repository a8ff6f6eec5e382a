import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The import rules (.dependency-cruiser.cjs) must catch what they name: a
 * small house that breaks each rule once is cruised with the real config.
 */
const root = path.resolve(import.meta.dirname, "..");
const run = promisify(execFile);
let house: string;

const files: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { module: "esnext", moduleResolution: "bundler", jsx: "react-jsx", strict: true } }),
  // a cycle
  "server/a.ts": 'import "server-only";\nimport { b } from "./b";\nexport const a = () => b;\n',
  "server/b.ts": 'import "server-only";\nimport { a } from "./a";\nexport const b = () => a;\n',
  // server reaching up into the UI, and a module without server-only
  "server/c.ts": 'import { Widget } from "../components/widget";\nexport const c = Widget;\n',
  // a client component reaching server/ through a helper; a type-only import is fine
  "components/widget.tsx": '"use client";\nimport { helper } from "./helper";\nimport type { Secret } from "../server/types";\nexport const Widget = (s: Secret) => helper(s);\n',
  "components/helper.ts": 'import { a } from "../server/a";\nexport const helper = (x: unknown) => [a, x];\n',
  "server/types.ts": 'import "server-only";\nexport type Secret = { key: string };\n',
  // lib/ reaching a Node built-in and server/
  "lib/bad.ts": 'import { readFileSync } from "node:fs";\nimport { a } from "../server/a";\nexport const bad = [readFileSync, a];\n',
  // the app importing test support
  "server/d.ts": 'import "server-only";\nimport { fixture } from "../testing/fixture";\nexport const d = fixture;\n',
  "testing/fixture.ts": "export const fixture = 1;\n",
};

type Violation = { rule: { name: string }; from: string; to: string };

beforeAll(() => {
  house = mkdtempSync(path.join(tmpdir(), "arbor-deps-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(house, file)), { recursive: true });
    writeFileSync(path.join(house, file), text);
  }
  symlinkSync(path.join(root, "node_modules"), path.join(house, "node_modules"));
});
afterAll(() => rmSync(house, { recursive: true, force: true }));

/** Cruise the small house with the real config, reporting as `outputType`. */
async function cruise(outputType: "json" | "err"): Promise<{ stdout: string; exitCode: number }> {
  const bin = path.join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
  const args = [bin, "--config", path.join(root, ".dependency-cruiser.cjs"), "--output-type", outputType, "server", "components", "lib", "testing"];
  try {
    const { stdout } = await run(process.execPath, args, { cwd: house, maxBuffer: 16 * 1024 * 1024 });
    return { stdout, exitCode: 0 };
  } catch (error) {
    const failed = error as { stdout: string; code: number };
    return { stdout: failed.stdout, exitCode: failed.code };
  }
}

describe("the dependency rules", () => {
  it("fail the check (as npm run lint:deps reports it) on a broken house", async () => {
    const { stdout, exitCode } = await cruise("err");
    expect(exitCode).toBeGreaterThan(0);
    expect(stdout).toContain("error no-cycles: server/a.ts");
  }, 60_000);

  it("catch each broken rule, naming the modules", async () => {
    const violations: Violation[] = JSON.parse((await cruise("json")).stdout).summary.violations;
    const found = (rule: string) => violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`);
    expect(found("no-cycles")).toEqual(["server/a.ts → server/b.ts"]); // a cycle is reported once, from its first module
    expect(found("server-not-to-ui")).toEqual(["server/c.ts → components/widget.tsx"]);
    expect(found("client-not-to-server")).toContain("components/widget.tsx → server/a.ts");
    expect(found("client-not-to-server").some((v) => v.includes("server/types.ts"))).toBe(false);
    expect(found("lib-is-isomorphic")).toEqual(expect.arrayContaining(["lib/bad.ts → fs", "lib/bad.ts → server/a.ts"]));
    expect(found("production-not-to-test-support")).toEqual(["server/d.ts → testing/fixture.ts"]);
    expect(found("server-only")).toEqual(["server/c.ts → server/c.ts"]);
  }, 60_000);
});
