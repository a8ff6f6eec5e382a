import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import postgres from "postgres";

/**
 * Several production servers of the same build on one Postgres, for the
 * multi-instance journey (e2e/instances.spec.ts, docs/scaling.md). Each is
 * `next start` in its own process group, so a test can SIGKILL one the way a
 * machine dies: no shutdown hook runs.
 */
export type Instance = { name: string; port: number; pid: number; output: () => string; kill: (signal: NodeJS.Signals) => Promise<void> };

/** A fresh database on TEST_DATABASE_URL's server, dropped again by `drop()`. */
export async function freshPostgres(adminUrl: string, prefix: string): Promise<{ url: string; sql: postgres.Sql; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      const again = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

/** The environment of a test server (as playwright.config.ts gives the main one), on Postgres, behind one proxy. */
export function instanceEnv({ databaseUrl, publicUrl, anthropicUrl, dataDir }: { databaseUrl: string; publicUrl: string; anthropicUrl: string; dataDir: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    ARBOR_DATA_DIR: dataDir,
    // every instance answers as the proxy's address: that is where the browser is
    APP_URL: publicUrl,
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: anthropicUrl,
    ARGON2_COST: "test",
    RATE_LIMIT_ADDRESS_FACTOR: "1000",
    TRUSTED_PROXY_HOPS: "1",
    // the same secrets on every instance: a session cookie or an encrypted key made by one is read by the other
    AUTH_SECRET: "e2e-auth-secret-e2e-auth-secret-e2e-auth-secret",
    ENCRYPTION_KEY: "0".repeat(64),
    ARBOR_DEV_MAILBOX: "1",
  };
}

export async function startInstance(name: string, port: number, env: NodeJS.ProcessEnv, { timeoutMs = 180_000 } = {}): Promise<Instance> {
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const child: ChildProcess = spawn(process.execPath, [nextBin, "start", "-p", String(port)], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`instance ${name} on ${port} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const pid = child.pid as number;
  return {
    name,
    port,
    pid,
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // the process group this test started (the next server and anything under it), nothing else
      process.kill(-pid, signal);
      await exited;
    },
  };
}
