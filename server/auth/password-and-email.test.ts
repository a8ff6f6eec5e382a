import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { authTokens, emailOutbox, passwordHistory, securityEvents, users } from "@/db/schema";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeUser } from "@/testing/fixtures";
import { confirmEmailChange, requestEmailChange } from "./email-change";
import { hashPassword, verifyPassword } from "./password";
import { CURRENT_PASSWORD_RULE, changePassword } from "./password-change";
import { createServerSession, resolveServerSession } from "./server-sessions";

process.env.ARGON2_COST = "test";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const APP = "http://localhost:3000";
async function person(password = "password number 0") {
  return makeUser(database.db, { passwordHash: await hashPassword(password) });
}
async function current(userId: string) {
  const [row] = await database.db.select().from(users).where(eq(users.id, userId));
  if (!row) throw new Error("no user");
  return row;
}
async function mailsTo(to: string) {
  return database.db.select().from(emailOutbox).where(eq(emailOutbox.to, to)).orderBy(emailOutbox.createdAt);
}
const tokenFrom = (text: string) => text.match(/token=([\w-]+)/)?.[1] ?? "";

describe("changing the password", () => {
  it("needs the current password: a wrong one is refused and nothing changes", async () => {
    const user = await person();
    await expect(changePassword(database.db, { userId: user.id, currentPassword: "not it at all", newPassword: "a new password here", keepSessionToken: null })).rejects.toMatchObject({
      code: "bad_request:current_password",
    });
    expect((await current(user.id)).passwordHash).toBe(user.passwordHash);
  });

  it("ends every other session, keeps this one, and is logged and mailed", async () => {
    const user = await person();
    const here = await createServerSession(database.db, { userId: user.id });
    const there = await createServerSession(database.db, { userId: user.id });
    const result = await changePassword(database.db, { userId: user.id, currentPassword: "password number 0", newPassword: "password number 1", keepSessionToken: here });
    expect(result).toEqual({ endedSessions: 1 });
    expect(await resolveServerSession(database.db, { sessionToken: there })).toBeNull();
    expect(await resolveServerSession(database.db, { sessionToken: here })).not.toBeNull();
    expect(await verifyPassword("password number 1", (await current(user.id)).passwordHash ?? "")).toBe(true);
    const events = await database.db.select().from(securityEvents).where(and(eq(securityEvents.userId, user.id), eq(securityEvents.kind, "password_changed")));
    expect(events).toHaveLength(1);
    expect((await mailsTo(user.email)).at(-1)?.subject).toBe("Your Arbor password was changed");
  });

  it("refuses each of the last five passwords, and allows the sixth-oldest again", async () => {
    const user = await person("password number 0");
    for (let i = 1; i <= 5; i++) {
      await changePassword(database.db, { userId: user.id, currentPassword: `password number ${i - 1}`, newPassword: `password number ${i}`, keepSessionToken: null });
    }
    // the current one (5) and the four before it (1–4) are refused
    for (const old of [5, 4, 3, 2, 1]) {
      await expect(
        changePassword(database.db, { userId: user.id, currentPassword: "password number 5", newPassword: `password number ${old}`, keepSessionToken: null }),
      ).rejects.toMatchObject({ code: "bad_request:password_reused" });
    }
    expect(await verifyPassword("password number 5", (await current(user.id)).passwordHash ?? "")).toBe(true);
    // 0 is six passwords back: allowed
    await changePassword(database.db, { userId: user.id, currentPassword: "password number 5", newPassword: "password number 0", keepSessionToken: null });
    expect(await database.db.select().from(passwordHistory).where(eq(passwordHistory.userId, user.id))).toHaveLength(5);
  });

  it("wrong current passwords are limited per account: past the limit even the right one is refused", async () => {
    const user = await person();
    for (let i = 0; i < CURRENT_PASSWORD_RULE.limit; i++) {
      await expect(changePassword(database.db, { userId: user.id, currentPassword: `guess ${i}`, newPassword: "a new password here", keepSessionToken: null })).rejects.toMatchObject({
        code: "bad_request:current_password",
      });
    }
    await expect(changePassword(database.db, { userId: user.id, currentPassword: "password number 0", newPassword: "a new password here", keepSessionToken: null })).rejects.toMatchObject({
      code: "rate_limited:current_password",
    });
    expect((await current(user.id)).passwordHash).toBe(user.passwordHash);
  });

  it("an account without a password is told how to get one", async () => {
    const user = await makeUser(database.db);
    await expect(changePassword(database.db, { userId: user.id, currentPassword: "anything", newPassword: "a new password here", keepSessionToken: null })).rejects.toMatchObject({
      code: "bad_request:no_password",
    });
  });
});

describe("changing the email address", () => {
  it("nothing changes until the new address confirms; the old one is told; the link works once", async () => {
    const user = await person();
    const target = `new-${user.id.slice(0, 8)}@example.com`;
    expect(await requestEmailChange(database.db, { userId: user.id, newEmail: target, currentPassword: "password number 0", appUrl: APP })).toEqual({ sentTo: target });
    expect((await current(user.id)).email).toBe(user.email);
    expect((await mailsTo(user.email)).at(-1)?.text).toContain(`change its email address to ${target}`);
    const link = (await mailsTo(target)).at(-1);
    expect(link?.subject).toBe("Confirm your new email address for Arbor");
    const token = tokenFrom(link?.text ?? "");
    expect(await confirmEmailChange(database.db, { token })).toEqual({ email: target });
    expect((await current(user.id)).email).toBe(target);
    expect((await current(user.id)).emailVerified).toBeInstanceOf(Date);
    expect((await mailsTo(user.email)).at(-1)?.subject).toBe("Your Arbor email address was changed");
    await expect(confirmEmailChange(database.db, { token })).rejects.toMatchObject({ code: "gone:token" });
  });

  it("an address already in use gets the same answer as any other, no link, and changes nothing", async () => {
    const user = await person();
    const taken = await makeUser(database.db);
    const answer = await requestEmailChange(database.db, { userId: user.id, newEmail: taken.email.toUpperCase(), currentPassword: "password number 0", appUrl: APP });
    expect(answer).toEqual({ sentTo: taken.email });
    expect((await current(user.id)).email).toBe(user.email);
    expect(await database.db.select().from(authTokens).where(and(eq(authTokens.userId, user.id), eq(authTokens.purpose, "change_email")))).toHaveLength(0);
    const mails = await mailsTo(taken.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe("An Arbor account could not be moved to your address");
    expect(mails[0]?.text).not.toContain("token=");
    // the requester's own security log reads as it does for a free address
    const api = createCaller(contextFor(database.db, user));
    expect((await api.account.securityEvents()).map((e) => e.kind)).toContain("email_change_requested");
  });

  it("needs the password, and a newer request voids the older link", async () => {
    const user = await person();
    await expect(requestEmailChange(database.db, { userId: user.id, newEmail: "x-one@example.com", currentPassword: "wrong", appUrl: APP })).rejects.toMatchObject({
      code: "bad_request:current_password",
    });
    await requestEmailChange(database.db, { userId: user.id, newEmail: `one-${user.id.slice(0, 6)}@example.com`, currentPassword: "password number 0", appUrl: APP });
    const first = tokenFrom((await mailsTo(`one-${user.id.slice(0, 6)}@example.com`)).at(-1)?.text ?? "");
    await requestEmailChange(database.db, { userId: user.id, newEmail: `two-${user.id.slice(0, 6)}@example.com`, currentPassword: "password number 0", appUrl: APP });
    await expect(confirmEmailChange(database.db, { token: first })).rejects.toMatchObject({ code: "gone:token" });
    expect((await current(user.id)).email).toBe(user.email);
  });

  it("if the address is taken between request and confirmation, nothing changes", async () => {
    const user = await person();
    const target = `race-${user.id.slice(0, 8)}@example.com`;
    await requestEmailChange(database.db, { userId: user.id, newEmail: target, currentPassword: "password number 0", appUrl: APP });
    await makeUser(database.db, { email: target });
    const token = tokenFrom((await mailsTo(target)).at(-1)?.text ?? "");
    await expect(confirmEmailChange(database.db, { token })).rejects.toMatchObject({ code: "conflict:email" });
    expect((await current(user.id)).email).toBe(user.email);
  });

  it("through the router: the caller's own account only, validated input", async () => {
    const user = await person();
    const api = createCaller(contextFor(database.db, user));
    await expect(api.accountSecurity.requestEmailChange({ newEmail: "not an email", currentPassword: "password number 0" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(createCaller(contextFor(database.db, null)).accountSecurity.requestEmailChange({ newEmail: "a@example.com" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
