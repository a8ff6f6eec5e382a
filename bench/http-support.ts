/**
 * What the HTTP benchmarks (bench/http.ts, bench/soak.ts) share: the
 * production build, `next start` processes on PGlite or Postgres, people
 * signed up and in the way a browser without JavaScript does it (the sign-up
 * form's own POST, the verification mail's link), tRPC and POST /api/chat over
 * plain HTTP, and CPU time read from /proc. No server code is imported: what is
 * measured is what a client meets.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";

const ROOT = path.join(import.meta.dirname, "..");
export const PASSWORD = "correct horse battery";
export const MODEL = "claude-sonnet-5-5";
const CLOCK_TICK_MS = 1000 / Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim() || 100);

/** Reuses .next when it holds a build (BENCH_REBUILD=1 forces one); says which. */
export function ensureBuild(): void {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (existsSync(buildId) && process.env.BENCH_REBUILD !== "1") {
    console.log(`reusing the production build ${readFileSync(buildId, "utf8").trim()} of ${statSync(buildId).mtime.toISOString()} (BENCH_REBUILD=1 rebuilds)`);
    return;
  }
  console.log("building (npx next build)…");
  const built = spawnSync("npx", ["next", "build"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error("next build failed");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type Database = { kind: "pglite" | "postgres"; env: Record<string, string>; name?: string; admin?: postgres.Sql; drop: () => Promise<void> };

export function pgliteDatabase(): Database {
  const dir = `/tmp/arbor-bench-pglite-${process.pid}-${randomBytes(3).toString("hex")}`;
  return { kind: "pglite", env: { ARBOR_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh database on TEST_DATABASE_URL's server; `admin` stays open to read pg_stat_activity. */
export async function postgresDatabase(adminUrl: string): Promise<Database> {
  const name = `arbor_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dir = `/tmp/arbor-bench-pg-${process.pid}-${randomBytes(3).toString("hex")}`;
  return {
    kind: "postgres",
    name,
    admin,
    env: { DATABASE_URL: url.toString(), ARBOR_DATA_DIR: dir },
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type AppServer = { url: string; pid: number; lines: string[]; stop: () => Promise<void> };

/** `next start` of the build, in its own process group (so its CPU can be summed and it can be stopped whole). */
export async function startApp(database: Database, anthropicUrl: string, extra: Record<string, string> = {}): Promise<AppServer> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    APP_URL: url,
    ANTHROPIC_API_KEY: "bench-key",
    ANTHROPIC_BASE_URL: anthropicUrl,
    ARGON2_COST: "test",
    RATE_LIMIT_ADDRESS_FACTOR: "10000",
    AUTH_SECRET: "bench-auth-secret-bench-auth-secret-bench-auth",
    ENCRYPTION_KEY: "0".repeat(64),
    // the verification mail is read from the development mailbox, as the journeys do
    ARBOR_DEV_MAILBOX: "1",
    ...database.env,
    ...extra,
  };
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port)], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const lines: string[] = [];
  let partial = "";
  const keep = (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > 5_000) lines.splice(0, lines.length - 5_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 180_000;
  for (;;) {
    const up = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`next start (${database.kind}) did not come up:\n${lines.slice(-40).join("\n")}`);
    await sleep(300);
  }
  const pid = child.pid as number;
  return {
    url,
    pid,
    lines,
    stop: async () => {
      if (child.exitCode !== null) return;
      process.kill(-pid, "SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of every process in the group, in ms. */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = procStat(Number(entry));
    if (fields && Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * CLOCK_TICK_MS;
}

/** /proc/<pid>/stat after the command name: state is [0], pgrp [2], utime [11], stime [12]. */
function procStat(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    return raw.slice(raw.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** CPU ms of the Postgres backends serving this database (pg_stat_activity), summed from /proc. */
export async function postgresCpuMs(database: Database): Promise<number> {
  if (!database.admin || !database.name) return 0;
  const rows = await database.admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database.name}`;
  let ticks = 0;
  for (const { pid } of rows) {
    const fields = procStat(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * CLOCK_TICK_MS;
}

/** A cookie jar of one person. */
export class Person {
  private cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly email: string,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair?.indexOf("=") ?? -1;
      if (!pair || at < 0) continue;
      const value = pair.slice(at + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("cookie", this.cookieHeader());
    headers.set("origin", this.base);
    const response = await fetch(`${this.base}${pathname}`, { ...init, headers, redirect: "manual" });
    this.remember(response);
    return response;
  }

  async trpc<T>(procedure: string, input: unknown): Promise<T> {
    const response = await this.fetch(`/api/trpc/${procedure}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: input }) });
    const body = (await response.json()) as { result?: { data?: { json?: T } }; error?: unknown };
    if (!response.ok) throw new Error(`${procedure}: ${response.status} ${JSON.stringify(body.error ?? body)}`);
    return body.result?.data?.json as T;
  }
}

const htmlDecode = (value: string) => value.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

/**
 * Signs up through the sign-up page's own form POST — what a browser sends
 * before (or without) JavaScript: the server action's hidden fields, the
 * fields a person fills — and follows the verification mail's link (the Free
 * plan's cloud allowance waits for it). Ends signed in with a session cookie.
 */
export async function signUp(base: string, email = `bench-${randomBytes(5).toString("hex")}@example.com`): Promise<Person> {
  const person = new Person(base, email);
  const page = await person.fetch("/sign-up");
  const html = await page.text();
  const form = /<form[^>]*method="POST"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error("no sign-up form on /sign-up");
  const data = new FormData();
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g)) data.append(m[1] as string, htmlDecode(m[2] ?? ""));
  data.append("name", "");
  data.append("email", email);
  data.append("password", PASSWORD);
  const signedUp = await person.fetch("/sign-up", { method: "POST", body: data });
  if (signedUp.status !== 303 || !person.cookieHeader().includes("session-token")) throw new Error(`sign-up answered ${signedUp.status} without a session`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const mailbox = await (await person.fetch("/dev/mailbox")).text();
    const mail = new RegExp(`aria-label="Mail to ${email.replace(/[.+]/g, "\\$&")}: Verify your email[\\s\\S]*?href="([^"]*verify-email[^"]*)"`).exec(mailbox);
    if (mail?.[1]) {
      const link = new URL(htmlDecode(mail[1]));
      const verified = await person.fetch(link.pathname + link.search);
      await verified.arrayBuffer();
      return person;
    }
    await sleep(200);
  }
  throw new Error(`no verification mail for ${email}`);
}

export type Streamed = { status: number; ttftMs: number; doneMs: number; text: string; tokens: number; firstTokenAt: number; lastTokenAt: number; messageId: string | null; chatId: string | null; error: string | null };

/** POST /api/chat and read the SSE to the end: when the first content arrived, the text, the end event. */
export async function postChat(person: Person, body: Record<string, unknown>, started = performance.now()): Promise<Streamed> {
  const response = await person.fetch("/api/chat", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const result: Streamed = { status: response.status, ttftMs: Number.NaN, doneMs: Number.NaN, text: "", tokens: 0, firstTokenAt: Number.NaN, lastTokenAt: Number.NaN, messageId: null, chatId: response.headers.get("x-chat-id"), error: null };
  if (!response.ok || !response.body) {
    result.error = `${response.status} ${await response.text()}`;
    return result;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const data = /^data: ?(.*)$/m.exec(buffer.slice(0, end))?.[1];
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (!data) continue;
      const event = JSON.parse(data) as { type: string; text?: string; messageId?: string; message?: string };
      const now = performance.now();
      if (event.type === "content") {
        if (Number.isNaN(result.ttftMs)) {
          result.ttftMs = now - started;
          result.firstTokenAt = now;
        }
        result.text += event.text ?? "";
        result.tokens += 1;
        result.lastTokenAt = now;
      } else if (event.type === "end") {
        result.messageId = event.messageId ?? null;
      } else if (event.type === "error") {
        result.error = event.message ?? "error event";
      }
    }
  }
  result.doneMs = performance.now() - started;
  return result;
}

/** The same question straight to the fake upstream with fetch: the baseline every added figure is measured from. */
export async function directToFake(fakeUrl: string, content: string, maxTokens: number): Promise<{ ttftMs: number; text: string; firstTokenAt: number; lastTokenAt: number }> {
  const started = performance.now();
  const response = await fetch(`${fakeUrl}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "bench-key", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: MODEL, max_tokens: maxTokens, stream: true, messages: [{ role: "user", content }] }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ttftMs = Number.NaN;
  let firstTokenAt = Number.NaN;
  let lastTokenAt = Number.NaN;
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const data = /^data: ?(.*)$/m.exec(buffer.slice(0, end))?.[1];
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (!data) continue;
      const event = JSON.parse(data) as { type: string; delta?: { text?: string } };
      if (event.type !== "content_block_delta") continue;
      const now = performance.now();
      if (Number.isNaN(ttftMs)) {
        ttftMs = now - started;
        firstTokenAt = now;
      }
      lastTokenAt = now;
      text += event.delta?.text ?? "";
    }
  }
  return { ttftMs, text, firstTokenAt, lastTokenAt };
}

export function percentile(values: number[], p: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const requestId = () => `bench-${randomBytes(8).toString("hex")}`;
export const fmt = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : "n/a");
