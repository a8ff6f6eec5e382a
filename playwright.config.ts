import { defineConfig, devices } from "@playwright/test";

/**
 * E2E against a real server: in CI (or E2E_BUILD=1) a production build on a
 * fresh PGlite data dir; otherwise `next dev` on :3100, reused if one already
 * runs there (handy while editing; `npm test` always uses the production build).
 * The fakes (Anthropic Messages API on :4010) start first, as their own process.
 */
// E2E_PORT_OFFSET moves the app and every fake together, so two checkouts can run their journeys at once.
const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);
const PORT = Number(process.env.E2E_PORT ?? 3100 + OFFSET);
const FAKE_ANTHROPIC_PORT = 4010 + OFFSET;
const FAKE_LOCAL_MODEL_PORT = 4011 + OFFSET;
const FAKE_STRIPE_PORT = 4012 + OFFSET;
// "localhost", not 127.0.0.1: Next.js reports its host as localhost, and Auth.js only
// redirects to its own origin — one name everywhere keeps cookies and redirects on one host.
const baseURL = `http://localhost:${PORT}`;
const dataDir = process.env.E2E_DATA_DIR ?? `/tmp/arbor-e2e-${process.pid}`;
const fresh = Boolean(process.env.CI || process.env.E2E_BUILD);

export default defineConfig({
  testDir: "./e2e",
  testMatch: /.*\.spec\.ts/,
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: [
    {
      command: "npx tsx testing/fakes/serve.ts",
      url: `http://127.0.0.1:${FAKE_ANTHROPIC_PORT}/health`,
      env: {
        FAKE_ANTHROPIC_PORT: String(FAKE_ANTHROPIC_PORT),
        FAKE_LOCAL_MODEL_PORT: String(FAKE_LOCAL_MODEL_PORT),
        FAKE_STRIPE_PORT: String(FAKE_STRIPE_PORT),
        // e2e/money.spec.ts runs a Stripe-configured server on PORT + 2; the stand-in's hosted Checkout delivers its events there
        FAKE_STRIPE_WEBHOOK_URL: `http://localhost:${PORT + 2}/api/stripe/webhook`,
        FAKE_STRIPE_WEBHOOK_SECRET: "whsec_e2e_stand_in",
      },
      // The fakes keep no state between tests, so a running copy is safe to reuse.
      reuseExistingServer: true,
      timeout: 60_000,
      stdout: "pipe",
    },
    {
      command: fresh ? `rm -rf ${dataDir} && npx next start -p ${PORT}` : `npx next dev -p ${PORT}`,
      url: `${baseURL}/api/health`,
      reuseExistingServer: !fresh,
      timeout: 180_000,
      env: {
        ARBOR_DATA_DIR: dataDir,
        APP_URL: baseURL,
        ANTHROPIC_API_KEY: "test-key",
        ANTHROPIC_BASE_URL: `http://127.0.0.1:${FAKE_ANTHROPIC_PORT}`,
        ARGON2_COST: "test",
        // Every journey signs up and in from 127.0.0.1; per-account limits stay as they are.
        RATE_LIMIT_ADDRESS_FACTOR: "1000",
        // A production build needs real secrets; these exist only for this test server.
        AUTH_SECRET: "e2e-auth-secret-e2e-auth-secret-e2e-auth-secret",
        ENCRYPTION_KEY: "0".repeat(64),
        // The mailbox is a development tool; the production build under test opts in explicitly.
        ARBOR_DEV_MAILBOX: "1",
        // Without Stripe a production build sells nothing; the billing journey pays on the test checkout, so it is kept (and announced).
        ARBOR_TEST_CHECKOUT: "1",
        // e2e/providers.spec.ts: an owner's own provider may be the fake OpenAI-compatible server (loopback, so it needs the operator's allowance)…
        ARBOR_PROVIDER_ALLOWED_HOSTS: `127.0.0.1:${FAKE_LOCAL_MODEL_PORT}`,
        // …and this one account is an operator (it edits model_prices there).
        ARBOR_OPERATOR_EMAILS: "operator@providers.e2e.test",
      },
    },
  ],
});
