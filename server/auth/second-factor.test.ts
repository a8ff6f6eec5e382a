import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { accountDeletions, emailOutbox, rateLimits, recoveryCodes, securityEvents, sessions, totpAuthenticators } from "@/db/schema";
import { scheduleDeletion } from "@/server/account/deletion";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeUser } from "@/testing/fixtures";
import { openSignInSession } from "./open-session";
import { hashPassword } from "./password";
import { completeWithCode, disableTotp, regenerateRecoveryCodes, SECOND_FACTOR_LIMITS } from "./second-factor";
import { resolvePendingSession, resolveServerSession } from "./server-sessions";
import { confirmTotpEnrolment, RECOVERY_CODE_COUNT, startTotpEnrolment, totpStatus } from "./totp";

process.env.ARGON2_COST = "test";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const PASSWORD = "the right password";
const anAddress = () => `198.51.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
/** What the person's authenticator app shows, `offset` steps from now. */
const codeFor = (secret: string, offset = 0) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + offset * 30_000 });

async function person() {
  return makeUser(database.db, { passwordHash: await hashPassword(PASSWORD) });
}
async function enrolled() {
  const user = await person();
  const { secret } = await startTotpEnrolment(database.db, { userId: user.id });
  // A code of the previous step, so the current one is still unused for the sign-in that follows.
  const { recoveryCodes: codes } = await confirmTotpEnrolment(database.db, { userId: user.id, code: codeFor(secret, -1) });
  return { user, secret, codes };
}
function signIn(userId: string, method = "password") {
  return openSignInSession(database.db, { userId, method, userAgent: "vitest", address: "203.0.113.5", browserToken: null });
}
async function kinds(userId: string) {
  return (await database.db.select({ kind: securityEvents.kind }).from(securityEvents).where(eq(securityEvents.userId, userId))).map((e) => e.kind);
}

describe("enrolling an authenticator app", () => {
  it("shows a QR code and key; until a code confirms it, sign-in asks nothing more", async () => {
    const user = await person();
    const enrolment = await startTotpEnrolment(database.db, { userId: user.id });
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/Arbor:.+secret=/);
    expect(enrolment.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    // stored encrypted, never as the key itself
    const [row] = await database.db.select().from(totpAuthenticators).where(eq(totpAuthenticators.userId, user.id));
    expect(row?.secretEncrypted).not.toContain(enrolment.secret);
    expect(row?.confirmedAt).toBeNull();
    expect((await signIn(user.id)).stage).toBe("full");
    expect(await totpStatus(database.db, { userId: user.id })).toEqual({ enabled: false, recoveryCodesLeft: 0 });
  });

  it("a wrong code does not confirm; the right one turns it on with ten recovery codes, stored hashed, logged and mailed", async () => {
    const user = await person();
    const { secret } = await startTotpEnrolment(database.db, { userId: user.id });
    await expect(confirmTotpEnrolment(database.db, { userId: user.id, code: "000000" === codeFor(secret) ? "111111" : "000000" })).rejects.toMatchObject({
      code: "bad_request:totp_code",
    });
    expect((await totpStatus(database.db, { userId: user.id })).enabled).toBe(false);
    const { recoveryCodes: codes } = await confirmTotpEnrolment(database.db, { userId: user.id, code: codeFor(secret) });
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    const stored = await database.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(JSON.stringify(stored)).not.toContain(code.replace("-", ""));
    expect(await totpStatus(database.db, { userId: user.id })).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    expect(await kinds(user.id)).toContain("totp_enabled");
    const mails = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, user.email));
    expect(mails.map((m) => m.subject)).toContain("Two-factor sign-in is on for your Arbor account");
  });

  it("confirming without a started enrolment, or a second app over a confirmed one, is refused", async () => {
    const user = await person();
    await expect(confirmTotpEnrolment(database.db, { userId: user.id, code: "123456" })).rejects.toMatchObject({ code: "bad_request:totp_not_started" });
    const { user: on } = await enrolled();
    await expect(startTotpEnrolment(database.db, { userId: on.id })).rejects.toMatchObject({ code: "conflict:totp" });
  });
});

describe("signing in with a second factor", () => {
  it("after the password the session waits: it opens nothing until the code, then it is a full session", async () => {
    const { user, secret } = await enrolled();
    const { sessionToken, stage } = await signIn(user.id);
    expect(stage).toBe("second_factor");
    expect(await resolveServerSession(database.db, { sessionToken })).toBeNull();
    expect(await resolvePendingSession(database.db, { sessionToken })).toMatchObject({ id: user.id });
    await completeWithCode(database.db, { sessionToken, code: codeFor(secret), address: anAddress() });
    expect(await resolveServerSession(database.db, { sessionToken })).toMatchObject({ id: user.id });
    expect(await resolvePendingSession(database.db, { sessionToken })).toBeNull();
    expect(await kinds(user.id)).toContain("second_factor_success");
  });

  it("after a magic link the session waits as well; a passkey sign-in does not", async () => {
    const { user } = await enrolled();
    expect((await signIn(user.id, "email")).stage).toBe("second_factor");
    expect((await signIn(user.id, "github")).stage).toBe("second_factor");
    expect((await signIn(user.id, "passkey")).stage).toBe("full");
  });

  it("a wrong code is refused and the session keeps waiting", async () => {
    const { user, secret } = await enrolled();
    const { sessionToken } = await signIn(user.id);
    const wrong = codeFor(secret) === "123456" ? "654321" : "123456";
    await expect(completeWithCode(database.db, { sessionToken, code: wrong, address: anAddress() })).rejects.toMatchObject({ code: "bad_request:second_factor_code" });
    expect(await resolveServerSession(database.db, { sessionToken })).toBeNull();
    expect(await kinds(user.id)).toContain("second_factor_failure");
  });

  it("a code that was accepted once is refused the second time (replay), even for another session", async () => {
    const { user, secret } = await enrolled();
    const code = codeFor(secret);
    const first = await signIn(user.id);
    await completeWithCode(database.db, { sessionToken: first.sessionToken, code, address: anAddress() });
    const second = await signIn(user.id);
    await expect(completeWithCode(database.db, { sessionToken: second.sessionToken, code, address: anAddress() })).rejects.toMatchObject({
      code: "bad_request:second_factor_code",
    });
    // and a code of an earlier step than the accepted one is a replay too
    await expect(completeWithCode(database.db, { sessionToken: second.sessionToken, code: codeFor(secret, -1), address: anAddress() })).rejects.toMatchObject({
      code: "bad_request:second_factor_code",
    });
    expect(await resolveServerSession(database.db, { sessionToken: second.sessionToken })).toBeNull();
  });

  it("a recovery code works once and not twice, and the owner is told how many are left", async () => {
    const { user, codes } = await enrolled();
    const code = codes[3] ?? "";
    const first = await signIn(user.id);
    await completeWithCode(database.db, { sessionToken: first.sessionToken, code: code.toUpperCase(), address: anAddress() });
    expect(await resolveServerSession(database.db, { sessionToken: first.sessionToken })).not.toBeNull();
    const second = await signIn(user.id);
    await expect(completeWithCode(database.db, { sessionToken: second.sessionToken, code, address: anAddress() })).rejects.toMatchObject({ code: "bad_request:second_factor_code" });
    expect((await totpStatus(database.db, { userId: user.id })).recoveryCodesLeft).toBe(9);
    const [mail] = await database.db.select().from(emailOutbox).where(and(eq(emailOutbox.to, user.email), eq(emailOutbox.subject, "A recovery code was used to sign in to Arbor")));
    expect(mail?.text).toContain("9 unused codes remain");
  });

  it("is rate limited per account: past the limit even the right code is refused, from any address", async () => {
    const { user, secret } = await enrolled();
    const { sessionToken } = await signIn(user.id);
    const wrong = codeFor(secret) === "123456" ? "654321" : "123456";
    for (let i = 0; i < SECOND_FACTOR_LIMITS.account.limit; i++) {
      await expect(completeWithCode(database.db, { sessionToken, code: wrong, address: anAddress() })).rejects.toMatchObject({ code: "bad_request:second_factor_code" });
    }
    await expect(completeWithCode(database.db, { sessionToken, code: codeFor(secret), address: anAddress() })).rejects.toMatchObject({ code: "rate_limited:second_factor" });
    expect(await resolveServerSession(database.db, { sessionToken })).toBeNull();
    // the window passes: the right code works again
    await database.db.delete(rateLimits).where(eq(rateLimits.key, `second-factor:account:${user.id}`));
    await completeWithCode(database.db, { sessionToken, code: codeFor(secret), address: anAddress() });
    expect(await resolveServerSession(database.db, { sessionToken })).not.toBeNull();
  });

  it("a waiting session runs out after ten minutes", async () => {
    const { user, secret } = await enrolled();
    const { sessionToken } = await signIn(user.id);
    await database.db.update(sessions).set({ expires: new Date(Date.now() - 1000) }).where(eq(sessions.sessionToken, sessionToken));
    await expect(completeWithCode(database.db, { sessionToken, code: codeFor(secret), address: anAddress() })).rejects.toMatchObject({ code: "unauthorized:second_factor" });
  });
});

describe("a scheduled account deletion and the second factor", () => {
  const deletionOf = async (userId: string) => (await database.db.select().from(accountDeletions).where(eq(accountDeletions.userId, userId)))[0];

  it("the password alone does not cancel it while a second factor is owed; the code completing the sign-in does", async () => {
    const { user, secret } = await enrolled();
    await scheduleDeletion(database.db, { userId: user.id, confirmEmail: user.email });
    const { sessionToken, stage } = await signIn(user.id);
    expect(stage).toBe("second_factor");
    // Someone with only the password (a stolen one) must not be able to keep the account alive, nor learn it was scheduled.
    expect((await deletionOf(user.id))?.cancelledAt).toBeNull();
    await completeWithCode(database.db, { sessionToken, code: codeFor(secret), address: anAddress() });
    expect((await deletionOf(user.id))?.cancelledAt).toBeInstanceOf(Date);
    expect(await kinds(user.id)).toContain("account_deletion_cancelled");
  });

  it("a full sign-in (no second factor on the account, or a passkey) cancels it when the session opens", async () => {
    const plain = await person();
    await scheduleDeletion(database.db, { userId: plain.id, confirmEmail: plain.email });
    expect((await signIn(plain.id)).stage).toBe("full");
    expect((await deletionOf(plain.id))?.cancelledAt).toBeInstanceOf(Date);

    const { user } = await enrolled();
    await scheduleDeletion(database.db, { userId: user.id, confirmEmail: user.email });
    expect((await signIn(user.id, "passkey")).stage).toBe("full");
    expect((await deletionOf(user.id))?.cancelledAt).toBeInstanceOf(Date);
  });
});

describe("turning the authenticator app off", () => {
  it("needs the password and a code; wrong either way changes nothing; right removes app and codes", async () => {
    const { user, secret } = await enrolled();
    await expect(disableTotp(database.db, { userId: user.id, password: "wrong password", code: codeFor(secret), address: anAddress() })).rejects.toMatchObject({
      code: "bad_request:current_password",
    });
    await expect(disableTotp(database.db, { userId: user.id, password: PASSWORD, code: "12345x", address: anAddress() })).rejects.toMatchObject({
      code: "bad_request:second_factor_code",
    });
    expect((await totpStatus(database.db, { userId: user.id })).enabled).toBe(true);
    await disableTotp(database.db, { userId: user.id, password: PASSWORD, code: codeFor(secret), address: anAddress() });
    expect(await totpStatus(database.db, { userId: user.id })).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect(await database.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toHaveLength(0);
    expect((await signIn(user.id)).stage).toBe("full");
    expect(await kinds(user.id)).toContain("totp_disabled");
  });

  it("new recovery codes need the password and a current code; the old ones stop working", async () => {
    const { user, secret, codes } = await enrolled();
    await expect(regenerateRecoveryCodes(database.db, { userId: user.id, password: PASSWORD, code: codes[0] ?? "", address: anAddress() })).rejects.toMatchObject({
      code: "bad_request:second_factor_code",
    });
    const { recoveryCodes: fresh } = await regenerateRecoveryCodes(database.db, { userId: user.id, password: PASSWORD, code: codeFor(secret), address: anAddress() });
    expect(fresh).toHaveLength(RECOVERY_CODE_COUNT);
    expect(fresh).not.toContain(codes[0]);
    const { sessionToken } = await signIn(user.id);
    await expect(completeWithCode(database.db, { sessionToken, code: codes[1] ?? "", address: anAddress() })).rejects.toMatchObject({ code: "bad_request:second_factor_code" });
    await completeWithCode(database.db, { sessionToken, code: fresh[0] ?? "", address: anAddress() });
    expect(await kinds(user.id)).toContain("recovery_codes_regenerated");
  });

  it("through the router: always the caller's own app", async () => {
    const { user, secret } = await enrolled();
    const other = await person();
    const api = createCaller(contextFor(database.db, other));
    await expect(api.accountSecurity.disableTotp({ password: PASSWORD, code: codeFor(secret) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await totpStatus(database.db, { userId: user.id })).enabled).toBe(true);
  });
});
