/**
 * Sign-in under attack, at the production argon2id cost: (1) 200 parallel
 * wrong passwords for one account — how many password checks ran (must be
 * AUTH_LIMITS' 5) and how long the burst took; (2) whether an address's
 * existence shows in the time a wrong password takes: median of a known
 * address against an unknown one (the decoy hash should make them alike) —
 * on PGlite and, when TEST_DATABASE_URL is set, on Postgres; (3) how long the
 * event loop stalls while 20 passwords are hashed at once, argon2id (native,
 * thread pool) against the bcryptjs cost 11 it replaced (JavaScript, on the loop).
 *
 * Run alone: npx tsx --conditions=react-server bench/sign-in-abuse.ts
 */
import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { and, eq, sql } from "drizzle-orm";
import { securityEvents } from "@/db/schema";
import { AUTH_LIMITS } from "@/server/auth/abuse-limits";
import { checkCredentials, signUp } from "@/server/auth/accounts";
import { hashPassword } from "@/server/auth/password";
import { createTestDatabase } from "@/testing/database";

const BURST = 200;
const SAMPLES = 15;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const address = () => `198.51.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

export type SignInAbuseResult = { driver: string; checks: number; burstMs: number; knownMedianMs: number; unknownMedianMs: number };

async function runOn(driver: "pglite" | "postgres"): Promise<SignInAbuseResult> {
  process.env.TEST_DB = driver;
  delete process.env.ARGON2_COST; // the real cost: timing is the point
  Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? "test" }); // no mail links printed for the accounts it makes
  const database = await createTestDatabase();
  try {
    const { db } = database;
    const made = await signUp(db, { email: `bench-${randomBytes(4).toString("hex")}@example.com`, password: "the right password", appUrl: "http://localhost", address: address() });
    if (!made.created) throw new Error("no account");
    const user = made.user;

    const started = performance.now();
    await Promise.all(Array.from({ length: BURST }, (_, i) => checkCredentials(db, { email: user.email, password: `guess ${i}`, address: address() })));
    const burstMs = performance.now() - started;
    const checks = await db.$count(
      securityEvents,
      and(eq(securityEvents.userId, user.id), eq(securityEvents.kind, "sign_in_failure"), sql`${securityEvents.detail}->>'reason' = 'wrong_password'`),
    );

    // One wrong password per fresh address (so the lock never answers first), alternating known and unknown.
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const real = await signUp(db, { email: `known-${i}-${randomBytes(3).toString("hex")}@example.com`, password: "the right password", appUrl: "http://localhost", address: address() });
      if (!real.created) throw new Error("no account");
      let t0 = performance.now();
      await checkCredentials(db, { email: real.user.email, password: "a wrong password", address: address() });
      known.push(performance.now() - t0);
      t0 = performance.now();
      await checkCredentials(db, { email: `nobody-${i}-${randomBytes(3).toString("hex")}@example.com`, password: "a wrong password", address: address() });
      unknown.push(performance.now() - t0);
    }
    return { driver, checks, burstMs, knownMedianMs: median(known), unknownMedianMs: median(unknown) };
  } finally {
    await database.close();
  }
}

/** The longest gap between 5 ms ticks while `work` runs: how long nothing else could be served. */
async function worstLoopStallMs(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  await work();
  clearInterval(timer);
  return worst;
}

async function loopStalls(): Promise<void> {
  delete process.env.ARGON2_COST;
  const passwords = Array.from({ length: 20 }, (_, i) => `a password of some length ${i}`);
  const argon = await worstLoopStallMs(() => Promise.all(passwords.map((p) => hashPassword(p))));
  const bcryptStall = await worstLoopStallMs(() => Promise.all(passwords.map((p) => bcrypt.hash(p, 11))));
  console.log(
    `password hashing: 20 at once stall the event loop for at most ${argon.toFixed(0)} ms with argon2id (thread pool), ` +
      `${bcryptStall.toFixed(0)} ms with bcryptjs cost 11 (×${(bcryptStall / Math.max(argon, 1)).toFixed(0)})`,
  );
}

export async function run(): Promise<SignInAbuseResult[]> {
  await loopStalls();
  const drivers: Array<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const results: SignInAbuseResult[] = [];
  for (const driver of drivers) {
    const r = await runOn(driver);
    results.push(r);
    console.log(
      `sign-in abuse [${r.driver}]: ${BURST} parallel wrong passwords → ${r.checks} password checks (limit ${AUTH_LIMITS["sign-in"].account.limit}) in ${r.burstMs.toFixed(0)} ms; ` +
        `a wrong password takes ${r.knownMedianMs.toFixed(1)} ms (median) for a real address, ${r.unknownMedianMs.toFixed(1)} ms for an unknown one ` +
        `(×${(r.unknownMedianMs / Math.max(r.knownMedianMs, 0.001)).toFixed(2)})`,
    );
    if (r.checks > AUTH_LIMITS["sign-in"].account.limit) throw new Error(`[${r.driver}] parallel attempts outran the count`);
  }
  if (!process.env.TEST_DATABASE_URL) console.log("sign-in abuse [postgres]: skipped (set TEST_DATABASE_URL to run it)");
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
