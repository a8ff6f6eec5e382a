import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The `sh` blocks of a docs page, in order, each with the pattern of the
 * `<!-- expect: … -->` comment right above it (if any): the examples a
 * reader copies, so a test can run exactly them.
 */
export function shellBlocks(file: string): Array<{ code: string; expect: string | null; heading: string }> {
  const text = readFileSync(file, "utf8");
  const blocks: Array<{ code: string; expect: string | null; heading: string }> = [];
  const pattern = /(?:<!-- expect: (.+?) -->\n)?```sh\n([\s\S]*?)```/g;
  for (const match of text.matchAll(pattern)) {
    const before = text.slice(0, match.index);
    const heading = [...before.matchAll(/^#+ (.+)$/gm)].at(-1)?.[1] ?? "";
    blocks.push({ code: match[2] ?? "", expect: match[1] ?? null, heading });
  }
  return blocks;
}

/**
 * Runs blocks one after another in ONE bash (variables set by one block are
 * seen by the next, as when a reader pastes them into a terminal) and returns
 * each block's output and exit status.
 */
export async function runShellBlocks(blocks: Array<{ code: string }>, env: Record<string, string>): Promise<Array<{ output: string; status: number }>> {
  const dir = mkdtempSync(path.join(tmpdir(), "arbor-docs-"));
  const script = blocks.map((b, i) => `{\n${b.code}\n} > ${dir}/${i}.out 2>&1\necho $? > ${dir}/${i}.rc\n`).join("\n");
  writeFileSync(path.join(dir, "run.sh"), script);
  await new Promise<void>((resolve) => {
    execFile("bash", [path.join(dir, "run.sh")], { env: { NODE_ENV: "test", PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 120_000 }, () => resolve());
  });
  return blocks.map((_, i) => ({
    output: readFileSync(path.join(dir, `${i}.out`), "utf8"),
    status: Number(readFileSync(path.join(dir, `${i}.rc`), "utf8").trim()),
  }));
}
