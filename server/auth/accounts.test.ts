import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import { and, eq, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { accessTokens, authTokens, emailOutbox, rateLimits, securityEvents, sessions, users } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { hashToken } from "@/server/security/secret-tokens";
import { AUTH_LIMITS } from "./abuse-limits";
import { checkCredentials, requestPasswordReset, resendVerification, resetPassword, signUp, verifyEmail } from "./accounts";
import { createAccessToken } from "@/server/tokens/personal-tokens";
import { provenByMailbox } from "./mailbox-proof";
import { createServerSession, resolveServerSession } from "./server-sessions";

process.env.ARGON2_COST = "test";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const APP = "http://localhost:3000";
const tokenFrom = (text: string) => text.match(/token=([\w-]+)/)?.[1] ?? "";
const fresh = (prefix = "p") => `${prefix}-${randomBytes(4).toString("hex")}@example.com`;
/** Each test its own client address, so per-address limits of one test never touch another. */
const anAddress = () => `203.0.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
const ACCOUNT_LIMIT = AUTH_LIMITS["sign-in"].account.limit;

async function mailsTo(to: string) {
  return database.db.select().from(emailOutbox).where(eq(emailOutbox.to, to));
}
async function latestMail(to: string) {
  return (await mailsTo(to)).at(-1);
}
async function newAccount(email = fresh(), password = "right password") {
  const result = await signUp(database.db, { email, password, appUrl: APP, address: anAddress() });
  if (!result.created) throw new Error("expected a new account");
  return result.user;
}
/** Move every window of `email`'s sign-in count into the past, as if `ms` had gone by. */
async function age(email: string, ms: number) {
  await database.db
    .update(rateLimits)
    .set({ windowStart: sql`${rateLimits.windowStart} - (${ms} * interval '1 millisecond')` })
    .where(eq(rateLimits.key, `sign-in:account:${email}`));
}

describe("sign-up", () => {
  it("creates the account once, hashes with argon2id and queues the verification mail", async () => {
    const user = await newAccount("ada@example.com", "long enough pw");
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await latestMail("ada@example.com"))?.text).toContain(`${APP}/verify-email?token=`);
  });

  it("an existing address is not told so: its owner gets a mail instead, and nothing else changes", async () => {
    const { db } = database;
    const owner = await newAccount(fresh("taken"), "owner's password");
    const before = await mailsTo(owner.email);
    const again = await signUp(db, { email: owner.email, password: "attacker password", appUrl: APP, address: anAddress() });
    expect(again).toEqual({ created: false });
    const after = await mailsTo(owner.email);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)?.subject).toMatch(/tried to sign up/);
    expect(after.at(-1)?.text).toContain(`${APP}/forgot-password`);
    const [row] = await db.select().from(users).where(eq(users.id, owner.id));
    expect(row?.passwordHash).toBe(owner.passwordHash);
    // The owner's inbox cannot be flooded through the form either.
    for (let i = 0; i < 5; i++) await signUp(db, { email: owner.email, password: "attacker password", appUrl: APP, address: anAddress() });
    expect(await mailsTo(owner.email)).toHaveLength(before.length + AUTH_LIMITS["sign-up"].account.limit);
  });

  it("limits sign-ups per client address", async () => {
    const address = anAddress();
    for (let i = 0; i < AUTH_LIMITS["sign-up"].address.limit; i++) {
      await signUp(database.db, { email: fresh("many"), password: "long enough pw", appUrl: APP, address });
    }
    await expect(signUp(database.db, { email: fresh("many"), password: "long enough pw", appUrl: APP, address })).rejects.toMatchObject({ code: "rate_limited:auth" });
    await expect(signUp(database.db, { email: fresh("many"), password: "long enough pw", appUrl: APP, address: anAddress() })).resolves.toMatchObject({ created: true });
  });
});

describe("verification", () => {
  it("verifies with a one-time token; reused and expired tokens get clear errors", async () => {
    const { db } = database;
    const user = await newAccount();
    const token = tokenFrom((await latestMail(user.email))?.text ?? "");
    const verified = await verifyEmail(db, { token });
    expect(verified.emailVerified).toBeInstanceOf(Date);
    await expect(verifyEmail(db, { token })).rejects.toMatchObject({ code: "gone:token", message: expect.stringContaining("already been used") });
    await expect(verifyEmail(db, { token: "made-up" })).rejects.toMatchObject({ code: "not_found:token" });

    const late = await newAccount();
    const lateToken = tokenFrom((await latestMail(late.email))?.text ?? "");
    await db.update(authTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(authTokens.tokenHash, hashToken(lateToken)));
    await expect(verifyEmail(db, { token: lateToken })).rejects.toMatchObject({ message: expect.stringContaining("expired") });
  });

  it("resending is limited per account", async () => {
    const user = await newAccount();
    const address = anAddress();
    for (let i = 0; i < AUTH_LIMITS.resend.account.limit; i++) await resendVerification(database.db, { userId: user.id, appUrl: APP, address });
    await expect(resendVerification(database.db, { userId: user.id, appUrl: APP, address })).rejects.toMatchObject({ code: "rate_limited:resend" });
  });
});

describe("password sign-in", () => {
  it("after five failures in the window answers locked without checking, and the window slides", async () => {
    const { db } = database;
    const user = await newAccount();
    const address = anAddress();
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
      expect(await checkCredentials(db, { email: user.email, password: "wrong", address })).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await checkCredentials(db, { email: user.email, password: "wrong", address })).toEqual({ ok: false, reason: "locked" });
    expect(await checkCredentials(db, { email: user.email, password: "right password", address })).toEqual({ ok: false, reason: "locked" });
    // Half a window later the old failures still weigh: still locked.
    await age(user.email, AUTH_LIMITS["sign-in"].account.windowMs / 2);
    expect(await checkCredentials(db, { email: user.email, password: "right password", address })).toEqual({ ok: false, reason: "locked" });
    await age(user.email, AUTH_LIMITS["sign-in"].account.windowMs * 2);
    expect(await checkCredentials(db, { email: user.email, password: "right password", address })).toMatchObject({ ok: true });
    const kinds = (await db.select().from(securityEvents).where(eq(securityEvents.userId, user.id))).map((e) => e.kind);
    expect(kinds).toContain("lockout");
    expect(kinds).toContain("sign_in_success");
  });

  it("answers an unknown address exactly as a real one, lock included", async () => {
    const { db } = database;
    const real = await newAccount();
    const unknown = fresh("nobody");
    const address = anAddress();
    const answers = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i < ACCOUNT_LIMIT + 1; i++) {
        const result = await checkCredentials(db, { email, password: "wrong guess", address });
        out.push(result.ok ? "ok" : result.reason);
      }
      return out;
    };
    expect(await answers(unknown)).toEqual(await answers(real.email));
  });

  it("a correct password clears earlier failures", async () => {
    const { db } = database;
    const user = await newAccount();
    const address = anAddress();
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) await checkCredentials(db, { email: user.email, password: "wrong", address });
    expect(await checkCredentials(db, { email: user.email, password: "right password", address })).toMatchObject({ ok: true });
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
      expect(await checkCredentials(db, { email: user.email, password: "wrong", address })).toMatchObject({ reason: "invalid" });
    }
  });

  it("200 parallel wrong passwords for one account get at most the allowed number of password checks", async () => {
    const { db } = database;
    const user = await newAccount();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => checkCredentials(db, { email: user.email, password: `guess ${i}`, address: anAddress() })),
    );
    const checked = await db
      .select()
      .from(securityEvents)
      .where(and(eq(securityEvents.userId, user.id), eq(securityEvents.kind, "sign_in_failure"), sql`${securityEvents.detail}->>'reason' = 'wrong_password'`));
    expect(checked).toHaveLength(ACCOUNT_LIMIT);
    expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(ACCOUNT_LIMIT - 1);
    expect(results.filter((r) => !r.ok && r.reason === "locked")).toHaveLength(200 - (ACCOUNT_LIMIT - 1));
  });

  it("limits attempts per client address across accounts", async () => {
    const { db } = database;
    const address = anAddress();
    for (let i = 0; i < AUTH_LIMITS["sign-in"].address.limit; i++) await checkCredentials(db, { email: fresh("spray"), password: "Winter2026!", address });
    expect(await checkCredentials(db, { email: fresh("spray"), password: "Winter2026!", address })).toEqual({ ok: false, reason: "rate_limited" });
  });

  it("names a disabled account only to someone with its password", async () => {
    const { db } = database;
    const user = await newAccount();
    await db.update(users).set({ status: "disabled" }).where(eq(users.id, user.id));
    expect(await checkCredentials(db, { email: user.email, password: "wrong", address: anAddress() })).toEqual({ ok: false, reason: "invalid" });
    expect(await checkCredentials(db, { email: user.email, password: "right password", address: anAddress() })).toEqual({ ok: false, reason: "disabled" });
  });

  it("rehashes a bcrypt hash as argon2id on the next successful sign-in", async () => {
    const { db } = database;
    const email = fresh("legacy");
    await db.insert(users).values({ email, passwordHash: await bcrypt.hash("old bcrypt password", 4), emailVerified: new Date() });
    expect(await checkCredentials(db, { email, password: "wrong", address: anAddress() })).toMatchObject({ ok: false });
    const [still] = await db.select().from(users).where(eq(users.email, email));
    expect(still?.passwordHash).toMatch(/^\$2[ab]\$/);
    expect(await checkCredentials(db, { email, password: "old bcrypt password", address: anAddress() })).toMatchObject({ ok: true });
    const [after] = await db.select().from(users).where(eq(users.email, email));
    expect(after?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await checkCredentials(db, { email, password: "old bcrypt password", address: anAddress() })).toMatchObject({ ok: true });
  });

  it("reads every byte of a password (bcrypt stopped at 72) and refuses more than 256 bytes unchecked", async () => {
    const { db } = database;
    const long = "x".repeat(100);
    const user = await newAccount(fresh("long"), `${long}A`);
    expect(await checkCredentials(db, { email: user.email, password: `${long}B`, address: anAddress() })).toMatchObject({ ok: false });
    expect(await checkCredentials(db, { email: user.email, password: `${long}A`, address: anAddress() })).toMatchObject({ ok: true });
    expect(await checkCredentials(db, { email: user.email, password: "é".repeat(200), address: anAddress() })).toMatchObject({ ok: false });
  });
});

describe("password reset", () => {
  it("resets once, revokes every session, and spends every other reset link", async () => {
    const { db } = database;
    const user = await newAccount(fresh("reset"), "old password");
    const sid = await createServerSession(db, { userId: user.id });
    const address = anAddress();
    await requestPasswordReset(db, { email: user.email, appUrl: APP, address });
    const first = tokenFrom((await latestMail(user.email))?.text ?? "");
    await requestPasswordReset(db, { email: user.email, appUrl: APP, address });
    const second = tokenFrom((await latestMail(user.email))?.text ?? "");
    expect(first).not.toBe(second);
    await resetPassword(db, { token: second, password: "new password!" });
    expect(await resolveServerSession(db, { sessionToken: sid })).toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await checkCredentials(db, { email: user.email, password: "new password!", address })).toMatchObject({ ok: true });
    await expect(resetPassword(db, { token: second, password: "another one!" })).rejects.toMatchObject({ code: "gone:token" });
    // The older link in the inbox no longer works either.
    await expect(resetPassword(db, { token: first, password: "attacker's choice" })).rejects.toMatchObject({ code: "gone:token" });
  });

  it("never re-enables a disabled account", async () => {
    const { db } = database;
    const user = await newAccount(fresh("disabled"));
    await requestPasswordReset(db, { email: user.email, appUrl: APP, address: anAddress() });
    const token = tokenFrom((await latestMail(user.email))?.text ?? "");
    await db.update(users).set({ status: "disabled" }).where(eq(users.id, user.id));
    await expect(resetPassword(db, { token, password: "new password!" })).rejects.toMatchObject({ code: "forbidden:account_disabled" });
    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row?.status).toBe("disabled");
    expect(row?.passwordHash).toBe(user.passwordHash);
  });

  it("answers the same for unknown addresses and stops mailing one address past its limit", async () => {
    const { db } = database;
    const user = await newAccount(fresh("flood"));
    await expect(requestPasswordReset(db, { email: fresh("nobody"), appUrl: APP, address: anAddress() })).resolves.toBeUndefined();
    const before = (await mailsTo(user.email)).length;
    for (let i = 0; i < AUTH_LIMITS.reset.account.limit + 3; i++) {
      await expect(requestPasswordReset(db, { email: user.email, appUrl: APP, address: anAddress() })).resolves.toBeUndefined();
    }
    expect(await mailsTo(user.email)).toHaveLength(before + AUTH_LIMITS.reset.account.limit);
    expect(await db.select().from(emailOutbox).where(like(emailOutbox.to, "nobody-%"))).toHaveLength(0);
  });
});

describe("account pre-hijack", () => {
  it("an unverified password account cannot mint access tokens", async () => {
    const user = await newAccount(fresh("unverified"));
    await expect(createAccessToken(database.db, { userId: user.id, name: "script", scopes: ["read"] })).rejects.toMatchObject({ code: "forbidden:email_unverified" });
  });

  it("proving the mailbox another way clears an unverified password and everything it opened", async () => {
    const { db } = database;
    // The attacker signs up with the victim's address and signs in.
    const planted = await newAccount(fresh("victim"), "attacker's password");
    const attackerSession = await createServerSession(db, { userId: planted.id });
    await db.insert(accessTokens).values({ userId: planted.id, name: "left behind", prefix: "arb_x", tokenHash: `h-${randomBytes(8).toString("hex")}`, scopes: ["read"] });
    // The victim follows a magic link (config.ts calls this before Auth.js marks the address verified).
    expect(await provenByMailbox(db, { user: planted, via: "magic_link" })).toBe(true);
    expect(await resolveServerSession(db, { sessionToken: attackerSession })).toBeNull();
    const [row] = await db.select().from(users).where(eq(users.id, planted.id));
    expect(row?.passwordHash).toBeNull();
    expect(await checkCredentials(db, { email: planted.email, password: "attacker's password", address: anAddress() })).toMatchObject({ ok: false });
    const tokens = await db.select().from(accessTokens).where(eq(accessTokens.userId, planted.id));
    expect(tokens.every((t) => t.revokedAt !== null)).toBe(true);
  });

  it("a verified account keeps its password and sessions when its owner uses a magic link", async () => {
    const { db } = database;
    const user = await newAccount(fresh("owner"));
    await db.update(users).set({ emailVerified: new Date() }).where(eq(users.id, user.id));
    const [verified] = await db.select().from(users).where(eq(users.id, user.id));
    if (!verified) throw new Error("no user");
    const sid = await createServerSession(db, { userId: user.id });
    expect(await provenByMailbox(db, { user: verified, via: "magic_link" })).toBe(false);
    expect(await resolveServerSession(db, { sessionToken: sid })).not.toBeNull();
    expect(await checkCredentials(db, { email: user.email, password: "right password", address: anAddress() })).toMatchObject({ ok: true });
  });

  it("a reset link on an unverified account also ends what its old password opened", async () => {
    const { db } = database;
    const planted = await newAccount(fresh("victim"), "attacker's password");
    await db.insert(accessTokens).values({ userId: planted.id, name: "left behind", prefix: "arb_y", tokenHash: `h-${randomBytes(8).toString("hex")}`, scopes: ["read"] });
    await requestPasswordReset(db, { email: planted.email, appUrl: APP, address: anAddress() });
    await resetPassword(db, { token: tokenFrom((await latestMail(planted.email))?.text ?? ""), password: "the victim's own" });
    const tokens = await db.select().from(accessTokens).where(eq(accessTokens.userId, planted.id));
    expect(tokens.every((t) => t.revokedAt !== null)).toBe(true);
  });
});
