/**
 * What the account-security rules cost, at the production argon2id setting
 * (ARGON2_COST unset), each next to a baseline measured in the same run:
 * - a password change with a full five-deep history (current check, five
 *   history checks, the new hash) vs one hash + one verify (a change without
 *   history);
 * - finishing a second factor with a TOTP code vs resolving a session (what
 *   every request already pays);
 * - resolving a session whose "last seen" is due (one UPDATE) vs one that is
 *   not (the other 59 requests of each minute).
 *
 * Run alone: npx tsx --conditions=react-server bench/account-security.ts
 */
import { eq } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { sessions } from "@/db/schema";
import { openSignInSession } from "@/server/auth/open-session";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { changePassword } from "@/server/auth/password-change";
import { completeWithCode } from "@/server/auth/second-factor";
import { createServerSession, resolveServerSession } from "@/server/auth/server-sessions";
import { confirmTotpEnrolment, startTotpEnrolment } from "@/server/auth/totp";
import { createTestDatabase } from "@/testing/database";
import { makeUser } from "@/testing/fixtures";

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed(times: number, body: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await body(i);
    out.push(performance.now() - start);
  }
  return out;
}

async function runOn(driver: "pglite" | "postgres") {
  process.env.TEST_DB = driver;
  const database = await createTestDatabase();
  const { db } = database;
  try {
    // password change with a full history
    const user = await makeUser(db, { passwordHash: await hashPassword("bench password 0") });
    for (let i = 1; i <= 5; i++) await changePassword(db, { userId: user.id, currentPassword: `bench password ${i - 1}`, newPassword: `bench password ${i}`, keepSessionToken: null });
    let n = 5;
    const change = await timed(8, async () => {
      await changePassword(db, { userId: user.id, currentPassword: `bench password ${n}`, newPassword: `bench password ${n + 1}`, keepSessionToken: null });
      n += 1;
    });
    const plain = await timed(8, async () => {
      const h = await hashPassword("a password without history");
      await verifyPassword("a password without history", h);
    });

    // second factor vs a plain session resolve
    const totpUser = await makeUser(db);
    const { secret } = await startTotpEnrolment(db, { userId: totpUser.id });
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
    await confirmTotpEnrolment(db, { userId: totpUser.id, code: totp.generate({ timestamp: Date.now() - 30_000 }) });
    const secondFactor = await timed(1, async () => {
      const { sessionToken } = await openSignInSession(db, { userId: totpUser.id, method: "password", userAgent: null, address: "203.0.113.1", browserToken: null });
      await completeWithCode(db, { sessionToken, code: totp.generate(), address: "203.0.113.1" });
    });
    const token = await createServerSession(db, { userId: user.id });
    const resolveFresh = await timed(50, () => resolveServerSession(db, { sessionToken: token }));
    const due: number[] = [];
    for (let i = 0; i < 50; i++) {
      await db.update(sessions).set({ lastSeenAt: new Date(0) }).where(eq(sessions.sessionToken, token));
      const start = performance.now();
      await resolveServerSession(db, { sessionToken: token });
      due.push(performance.now() - start);
    }
    return { driver, change: p50(change), plain: p50(plain), secondFactor: secondFactor[0] ?? 0, resolveFresh: p50(resolveFresh), resolveDue: p50(due) };
  } finally {
    await database.close();
  }
}

export async function run() {
  delete process.env.ARGON2_COST;
  const drivers: Array<"pglite" | "postgres"> = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
  const results = [];
  for (const driver of drivers) {
    const r = await runOn(driver);
    results.push(r);
    console.log(
      `account security [${r.driver}]: password change with a 5-deep history p50 ${r.change.toFixed(0)} ms vs hash+verify ${r.plain.toFixed(0)} ms (×${(r.change / Math.max(r.plain, 0.001)).toFixed(1)}); ` +
        `TOTP second step ${r.secondFactor.toFixed(1)} ms (one sign-in, incl. opening the session); ` +
        `session resolve p50 ${r.resolveFresh.toFixed(2)} ms, with its last-seen UPDATE due ${r.resolveDue.toFixed(2)} ms (×${(r.resolveDue / Math.max(r.resolveFresh, 0.001)).toFixed(1)}, once a minute per session)`,
    );
  }
  if (!process.env.TEST_DATABASE_URL) console.log("account security [postgres]: skipped (set TEST_DATABASE_URL to run it)");
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
