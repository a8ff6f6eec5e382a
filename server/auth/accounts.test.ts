import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { authTokens, emailOutbox, securityEvents, sessions, users } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { hashToken } from "@/server/security/tokens";
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
    const user = await signUp(db, { email: "ada@example.com", password: "long enough pw" }, APP);
    expect(user.passwordHash).not.toContain("long enough");
    const mail = await latestMail("ada@example.com");
    expect(mail?.text).toContain(`${APP}/verify-email?token=`);
    await expect(signUp(db, { email: "Ada@Example.com".toLowerCase(), password: "long enough pw" }, APP)).rejects.toMatchObject({ code: "conflict:email" });
    expect(await db.select().from(users).where(eq(users.email, "ada@example.com"))).toHaveLength(1);
  });

  it("verifies with a one-time token; reused and expired tokens get clear errors", async () => {
    const { db } = database;
    await signUp(db, { email: "grace@example.com", password: "long enough pw" }, APP);
    const token = tokenFrom((await latestMail("grace@example.com"))?.text ?? "");
    const verified = await verifyEmail(db, token);
    expect(verified.emailVerified).toBeInstanceOf(Date);
    await expect(verifyEmail(db, token)).rejects.toMatchObject({ code: "gone:token", message: expect.stringContaining("already been used") });
    await expect(verifyEmail(db, "made-up")).rejects.toMatchObject({ code: "not_found:token" });

    await signUp(db, { email: "late@example.com", password: "long enough pw" }, APP);
    const late = tokenFrom((await latestMail("late@example.com"))?.text ?? "");
    await db.update(authTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(authTokens.tokenHash, hashToken(late)));
    await expect(verifyEmail(db, late)).rejects.toMatchObject({ message: expect.stringContaining("expired") });
  });

  it("locks after five failures for 15 minutes, records every attempt, and unlocks after", async () => {
    const { db } = database;
    const user = await signUp(db, { email: "lock@example.com", password: "right password" }, APP);
    const now = new Date();
    for (let i = 0; i < 4; i++) expect(await checkCredentials(db, "lock@example.com", "wrong", now)).toEqual({ ok: false, reason: "invalid" });
    const fifth = await checkCredentials(db, "lock@example.com", "wrong", now);
    expect(fifth).toMatchObject({ ok: false, reason: "locked" });
    expect(await checkCredentials(db, "lock@example.com", "right password", now)).toMatchObject({ ok: false, reason: "locked" });
    const later = new Date(now.getTime() + LOCKOUT_MS + 1000);
    expect(await checkCredentials(db, "lock@example.com", "right password", later)).toMatchObject({ ok: true });
    const events = await db.select().from(securityEvents).where(eq(securityEvents.userId, user.id));
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === "sign_in_failure")).toHaveLength(6);
    expect(kinds).toContain("lockout");
    expect(kinds).toContain("sign_in_success");
  });

  it("resets the password once, unlocks, and revokes every session", async () => {
    const { db } = database;
    const user = await signUp(db, { email: "reset@example.com", password: "old password" }, APP);
    const sid = await createServerSession(db, user.id);
    expect(await resolveServerSession(db, sid)).not.toBeNull();
    await requestPasswordReset(db, "reset@example.com", APP);
    await requestPasswordReset(db, "nobody@example.com", APP); // silently nothing
    const token = tokenFrom((await latestMail("reset@example.com"))?.text ?? "");
    await resetPassword(db, token, "new password!");
    expect(await resolveServerSession(db, sid)).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await checkCredentials(db, "reset@example.com", "new password!")).toMatchObject({ ok: true });
    await expect(resetPassword(db, token, "another one!")).rejects.toMatchObject({ code: "gone:token" });
    expect(await latestMail("nobody@example.com")).toBeUndefined();
  });
});
