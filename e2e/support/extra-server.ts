import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

/**
 * A second production server of the same build, on its own port and data
 * directory, for journeys that need a configuration the main test server
 * does not have (no test checkout; Stripe through the stand-in). Started and
 * stopped by the spec that needs it.
 */
export type ExtraServer = { url: string; stop: () => Promise<void> };

const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);
export const MAIN_PORT = Number(process.env.E2E_PORT ?? 3100 + OFFSET);
export const FAKE_STRIPE_URL = `http://127.0.0.1:${4012 + OFFSET}`;
/** The secret the stand-in signs its webhook deliveries with (playwright.config.ts gives it to the fakes). */
export const STAND_IN_WEBHOOK_SECRET = "whsec_e2e_stand_in";

/** The environment every test server shares (as in playwright.config.ts). */
function baseEnv(url: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    ARBOR_DATA_DIR: dataDir,
    APP_URL: url,
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${4010 + OFFSET}`,
    BCRYPT_COST: "4",
    AUTH_SECRET: "e2e-auth-secret-e2e-auth-secret-e2e-auth-secret",
    ENCRYPTION_KEY: "0".repeat(64),
    ARBOR_DEV_MAILBOX: "1",
  };
}

export async function startExtraServer(port: number, extra: Record<string, string>): Promise<ExtraServer> {
  const url = `http://localhost:${port}`;
  const dataDir = `/tmp/arbor-e2e-extra-${port}-${process.pid}`;
  await promisify(execFile)("rm", ["-rf", dataDir]);
  const child: ChildProcess = spawn("npx", ["next", "start", "-p", String(port)], { env: { ...baseEnv(url, dataDir), ...extra }, stdio: "ignore", detached: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const up = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the extra server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    stop: async () => {
      // the process group this spec started (npx and the next server under it), nothing else
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
    },
  };
}

/** `npm run stripe:setup` against the stand-in, as an operator runs it against a real account: the env lines it prints. */
export async function runStripeSetup(): Promise<Record<string, string>> {
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "stripe:setup"], {
    env: { ...process.env, STRIPE_SECRET_KEY: "sk_test_e2e_stand_in", STRIPE_API_URL: FAKE_STRIPE_URL, AUTH_SECRET: "e2e-auth-secret-e2e-auth-secret-e2e-auth-secret", ENCRYPTION_KEY: "0".repeat(64) },
  });
  return Object.fromEntries([...stdout.matchAll(/^(STRIPE_PRICE_[A-Z]+)=(\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]));
}
