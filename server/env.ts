import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { resolveDataDir } from "@/db/data-dir";
import { databaseEnvSchema, describeEnvIssues, resetDatabaseEnvForTests, setVariables } from "@/db/env";

const optionalUrl = z.url({ message: "must be a URL" }).optional();
const optionalString = z.string().min(1).optional();
const retentionDays = (fallback: number) =>
  z.coerce.number({ message: "must be a number of days" }).int("must be a whole number of days").min(1, "must be at least 1 day").max(36_500).default(fallback);

/**
 * Every variable Arbor reads, documented in .env.example: the database layer's
 * own (db/env.ts) and the rest. Nothing else in server/ reads process.env.
 * @see docs/architecture.md#configuration
 */
const schema = databaseEnvSchema.extend({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  APP_URL: z.url({ message: "must be a URL such as http://localhost:3000" }).default("http://localhost:3000"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (try: openssl rand -base64 32)").optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters (32 bytes; try: openssl rand -hex 32)")
    .optional(),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalUrl,
  ANTHROPIC_MODEL: optionalString,
  LOCAL_MODEL_URL: optionalUrl,
  LOCAL_MODEL_NAME: optionalString,
  /**
   * Hosts a project's own OpenAI-compatible provider may use although they resolve to a private or
   * loopback address (comma-separated host names or IPs, each optionally with :port): an operator's
   * in-house model server. Everything else goes through the URL-fetching address guard.
   */
  ARBOR_PROVIDER_ALLOWED_HOSTS: z
    .string()
    .regex(/^\s*[A-Za-z0-9.:[\]-]+(\s*,\s*[A-Za-z0-9.:[\]-]+)*\s*$/, "must be comma-separated host names or IPs, each optionally with :port")
    .optional(),
  /** Emails (comma-separated) of the operators: they may edit model_prices on /admin/model-prices. */
  ARBOR_OPERATOR_EMAILS: z
    .string()
    .refine((v) => v.split(",").every((e) => /^[^\s@,]+@[^\s@,]+$/.test(e.trim())), "must be comma-separated email addresses")
    .optional(),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_URL: optionalUrl,
  /** the plan and usage prices `npm run stripe:setup` prints; a plan Checkout needs all three */
  STRIPE_PRICE_MANAGED: optionalString,
  STRIPE_PRICE_BYOK: optionalString,
  STRIPE_PRICE_USAGE: optionalString,
  /**
   * "1" keeps the test checkout (signed events, no real payment) in a production build without
   * STRIPE_SECRET_KEY, and every page then says so; never set it in a real deployment.
   */
  ARBOR_TEST_CHECKOUT: z.enum(["0", "1"]).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  MAIL_FROM: z.string().min(3).default("Arbor <arbor@localhost>"),
  /** "1" shows /dev/mailbox even in a production build (end-to-end tests of the built app); never set it in a real deployment. */
  ARBOR_DEV_MAILBOX: z.enum(["0", "1"]).optional(),
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  AUTH_GOOGLE_ID: optionalString,
  AUTH_GOOGLE_SECRET: optionalString,
  /** Auth.js's own origin; derived from APP_URL when unset (see publishAuthUrl) */
  AUTH_URL: optionalUrl,
  /** "test" makes argon2id cheap for test runs (never in a deployment); "standard" is OWASP's 19 MiB, 2 passes */
  ARGON2_COST: z.enum(["standard", "test"], { message: "must be standard or test" }).default("standard"),
  /** How many reverse proxies in front of Arbor append to X-Forwarded-For; per-address limits read the client from there */
  TRUSTED_PROXY_HOPS: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(0).max(10).default(0),
  /** Multiplies every per-address limit; the end-to-end tests, all from one address, raise it */
  RATE_LIMIT_ADDRESS_FACTOR: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(1).max(10_000).default(1),
  /** Days a finished answer's stream ledger is kept for resuming and watching (the answer itself stays in messages). */
  RETENTION_STREAM_EVENTS_DAYS: retentionDays(7),
  /** Days a rate-limit counter outlives its last window (the longest window is an hour). */
  RETENTION_RATE_LIMITS_DAYS: retentionDays(1),
  /** Days of each account's security history (sign-ins, lockouts, key and token changes). */
  RETENTION_SECURITY_EVENTS_DAYS: retentionDays(365),
  /** Days an expired, used or revoked token (sign-in links, reset links, sessions, access tokens) is kept before it is deleted. */
  RETENTION_EXPIRED_TOKENS_DAYS: retentionDays(30),
  /** An S3-compatible object store (AWS, MinIO, R2, s3rver); unset, large files live under the data directory. */
  S3_ENDPOINT: optionalUrl,
  S3_BUCKET: optionalString,
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  /** "1" (the default) addresses the bucket in the path, as MinIO and most self-hosted stores need */
  S3_FORCE_PATH_STYLE: z.enum(["0", "1"]).default("1"),
  /** Seconds without a heartbeat before a device counts as offline (3 missed beats at the agent's default 30 s). */
  DEVICE_OFFLINE_AFTER_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(2).max(86_400).default(95),
  /** Seconds between the keep-alive comments Arbor sends down each device tunnel (the agent's read timeout is 60 s). */
  DEVICE_TUNNEL_PING_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(1).max(55).default(20),
  /** GPU load (0–1) at or above which a device's `auto` projects answer from the cloud until it recovers. */
  DEVICE_PREWARM_GPU_THRESHOLD: z.coerce.number({ message: "must be between 0 and 1" }).min(0).max(1).default(0.9),
  /** Milliseconds between `[arbor] event-loop {...}` lines on stdout (delay percentiles, memory); unset = none. For soaks and operators (docs/scaling.md). */
  EVENT_LOOP_REPORT_MS: z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(100).max(3_600_000).optional(),
}).superRefine((env, ctx) => {
  // Half an S3 configuration would silently write to the filesystem instead: refuse it at start.
  const s3 = ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;
  const set = s3.filter((k) => env[k]);
  if (set.length === 0 || set.length === s3.length) return;
  for (const k of s3.filter((k) => !env[k])) {
    ctx.addIssue({ code: "custom", path: [k], message: `is needed too, since ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set (an S3 store needs all four)` });
  }
});

export type Env = z.infer<typeof schema> & { AUTH_SECRET: string; ENCRYPTION_KEY: string };

let cached: Env | undefined;

/** Thrown with one line per bad variable, so a misconfiguration reads at a glance. */
export class EnvError extends Error {}

/** Generated dev secrets live in .data/secrets.json so sessions survive restarts. */
function devSecret(name: "AUTH_SECRET" | "ENCRYPTION_KEY"): string {
  const file = path.join(resolveDataDir(), "secrets.json");
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const existing = stored[name];
  if (existing) return existing;
  const value = randomBytes(32).toString(name === "AUTH_SECRET" ? "base64url" : "hex");
  stored[name] = value;
  writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  console.warn(`[arbor] ${name} is not set; generated one into ${file} (development only).`);
  return value;
}

export function getEnv(): Env {
  if (cached) return cached;
  // An empty variable means "not set" (as in a .env file with KEY=).
  const parsed = schema.safeParse(setVariables());
  if (!parsed.success) throw new EnvError(describeEnvIssues(parsed.error.issues));
  const env = parsed.data;
  const missing = (["AUTH_SECRET", "ENCRYPTION_KEY"] as const).filter((k) => !env[k]);
  if (missing.length && env.NODE_ENV === "production") {
    throw new EnvError(describeEnvIssues(missing.map((k) => ({ path: [k], message: "is required in production (see .env.example)" }))));
  }
  cached = {
    ...env,
    AUTH_SECRET: env.AUTH_SECRET ?? devSecret("AUTH_SECRET"),
    ENCRYPTION_KEY: env.ENCRYPTION_KEY ?? devSecret("ENCRYPTION_KEY"),
  };
  return cached;
}

/**
 * Auth.js reads its origin from process.env.AUTH_URL itself (it has no option
 * for it). Without it, a request arriving as "localhost" would refuse callback
 * URLs on APP_URL's host, so magic links would land on "/".
 */
export function publishAuthUrl(env: Env): void {
  process.env.AUTH_URL ??= `${env.APP_URL}/api/auth`;
}

/** Auth.js's base URL (AUTH_URL, published from APP_URL when unset): its protocol decides the session cookie's name. */
export function authUrl(env: Env): string {
  publishAuthUrl(env);
  return process.env.AUTH_URL ?? `${env.APP_URL}/api/auth`;
}

/** Vitest sets VITEST in its workers; test-only bookkeeping (billing incidents) keys on it. */
export function runningUnderVitest(): boolean {
  return Boolean(process.env.VITEST);
}

/** Tests change process.env between cases. */
export function resetEnvForTests(): void {
  cached = undefined;
  resetDatabaseEnvForTests();
}
