import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { authTokens, emailOutbox, securityEvents, sessions, users } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { hashToken } from "@/server/security/secret-tokens";
import { checkCredentials, LOCKOUT_MS, requestPasswordReset, resetPassword, signUp, verifyEmail } from "./accounts";
import { createServerSession, resolveServerSession } from "./server-sessions";

process.env.BCRYPT_COST = "4";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const APP = "http://localhost:3000";
const tokenFrom = (text: string) => text.match(/token=([\w-]+)/)?.[1] ?? "";

async function latestMail(to: string) {
  const rows = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, to));
  return rows.at(-1);
}

describe("accounts", () => {
  it("signs up once per email (case-insensitively) and queues the verification mail in the same transaction", async () => {
    const { db } = database;
    const user = await signUp(db, { email: "ada@example.com", password: "long enough pw", appUrl: APP });
    expect(user.passwordHash).not.toContain("long enough");
    const mail = await latestMail("ada@example.com");
    expect(mail?.text).toContain(`${APP}/verify-email?token=`);
    await expect(signUp(db, { email: "Ada@Example.com".toLowerCase(), password: "long enough pw", appUrl: APP })).rejects.toMatchObject({ code: "conflict:email" });
    expect(await db.select().from(users).where(eq(users.email, "ada@example.com"))).toHaveLength(1);
  });

  it("verifies with a one-time token; reused and expired tokens get clear errors", async () => {
    const { db } = database;
    await signUp(db, { email: "grace@example.com", password: "long enough pw", appUrl: APP });
    const token = tokenFrom((await latestMail("grace@example.com"))?.text ?? "");
    const verified = await verifyEmail(db, { token: token });
    expect(verified.emailVerified).toBeInstanceOf(Date);
    await expect(verifyEmail(db, { token: token })).rejects.toMatchObject({ code: "gone:token", message: expect.stringContaining("already been used") });
    await expect(verifyEmail(db, { token: "made-up" })).rejects.toMatchObject({ code: "not_found:token" });

    await signUp(db, { email: "late@example.com", password: "long enough pw", appUrl: APP });
    const late = tokenFrom((await latestMail("late@example.com"))?.text ?? "");
    await db.update(authTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(authTokens.tokenHash, hashToken(late)));
    await expect(verifyEmail(db, { token: late })).rejects.toMatchObject({ message: expect.stringContaining("expired") });
  });

  it("locks after five failures for 15 minutes, records every attempt, and unlocks after", async () => {
    const { db } = database;
    const user = await signUp(db, { email: "lock@example.com", password: "right password", appUrl: APP });
    const now = new Date();
    for (let i = 0; i < 4; i++) expect(await checkCredentials(db, { email: "lock@example.com", password: "wrong", now: now })).toEqual({ ok: false, reason: "invalid" });
    const fifth = await checkCredentials(db, { email: "lock@example.com", password: "wrong", now: now });
    expect(fifth).toMatchObject({ ok: false, reason: "locked" });
    expect(await checkCredentials(db, { email: "lock@example.com", password: "right password", now: now })).toMatchObject({ ok: false, reason: "locked" });
    const later = new Date(now.getTime() + LOCKOUT_MS + 1000);
    expect(await checkCredentials(db, { email: "lock@example.com", password: "right password", now: later })).toMatchObject({ ok: true });
    const events = await db.select().from(securityEvents).where(eq(securityEvents.userId, user.id));
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === "sign_in_failure")).toHaveLength(6);
    expect(kinds).toContain("lockout");
    expect(kinds).toContain("sign_in_success");
  });

  it("resets the password once, unlocks, and revokes every session", async () => {
    const { db } = database;
    const user = await signUp(db, { email: "reset@example.com", password: "old password", appUrl: APP });
    const sid = await createServerSession(db, { userId: user.id });
    expect(await resolveServerSession(db, { sessionToken: sid })).not.toBeNull();
    await requestPasswordReset(db, { email: "reset@example.com", appUrl: APP });
    await requestPasswordReset(db, { email: "nobody@example.com", appUrl: APP }); // silently nothing
    const token = tokenFrom((await latestMail("reset@example.com"))?.text ?? "");
    await resetPassword(db, { token: token, password: "new password!" });
    expect(await resolveServerSession(db, { sessionToken: sid })).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await checkCredentials(db, { email: "reset@example.com", password: "new password!" })).toMatchObject({ ok: true });
    await expect(resetPassword(db, { token: token, password: "another one!" })).rejects.toMatchObject({ code: "gone:token" });
    expect(await latestMail("nobody@example.com")).toBeUndefined();
  });
});
