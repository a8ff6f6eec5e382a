import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type User, sessions, users } from "@/db/schema";
import { AppError } from "@/server/errors";
import { enqueueMail } from "@/server/mail/outbox";
import { authMails } from "./mails";
import { hashPassword, verifyPassword } from "./password";
import { logSecurityEvent } from "./security-log";
import { consumeAuthToken, issueAuthToken } from "./one-time-tokens";

export const MAX_FAILED_SIGN_INS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

async function findByEmail(db: Db, { email }: { email: string }): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return user;
}

/** Create the account and queue its verification mail in one transaction. */
export async function signUp(db: Db, { email, password, name, appUrl }: { email: string; password: string; name?: string; appUrl: string }): Promise<User> {
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ email, name: name || null, passwordHash })
        .returning();
      if (!user) throw new Error("user insert returned nothing");
      const token = await issueAuthToken(tx, { userId: user.id, purpose: "verify_email" });
      await enqueueMail(tx, authMails.verifyEmail(user.email, `${appUrl}/verify-email?token=${token}`));
      await logSecurityEvent(tx, { kind: "sign_up", userId: user.id, email: user.email });
      return user;
    });
  } catch (error) {
    if (await findByEmail(db, { email })) {
      throw new AppError("conflict:email", "An account with this email already exists. Sign in, or reset your password.");
    }
    throw error;
  }
}

export async function resendVerification(db: Db, { userId, appUrl }: { userId: string; appUrl: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user || user.emailVerified) return;
    const token = await issueAuthToken(tx, { userId: user.id, purpose: "verify_email" });
    await enqueueMail(tx, authMails.verifyEmail(user.email, `${appUrl}/verify-email?token=${token}`));
  });
}

export async function verifyEmail(db: Db, { token }: { token: string }): Promise<User> {
  return db.transaction(async (tx) => {
    const { userId } = await consumeAuthToken(tx, { token, purpose: "verify_email" });
    const [user] = await tx.update(users).set({ emailVerified: new Date(), updatedAt: new Date() }).where(eq(users.id, userId)).returning();
    if (!user) throw new AppError("not_found:user", "This account no longer exists.");
    await logSecurityEvent(tx, { kind: "email_verified", userId, email: user.email });
    return user;
  });
}

/** Always succeeds from the caller's view, so the form does not reveal which emails have accounts. */
export async function requestPasswordReset(db: Db, { email, appUrl }: { email: string; appUrl: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await findByEmail(tx, { email });
    if (!user || user.status === "disabled") return;
    const token = await issueAuthToken(tx, { userId: user.id, purpose: "reset_password" });
    await enqueueMail(tx, authMails.resetPassword(user.email, `${appUrl}/reset-password?token=${token}`));
    await logSecurityEvent(tx, { kind: "password_reset_requested", userId: user.id, email: user.email });
  });
}

/** A new password unlocks the account and signs out every existing session. */
export async function resetPassword(db: Db, { token, password }: { token: string; password: string }): Promise<User> {
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const { userId } = await consumeAuthToken(tx, { token, purpose: "reset_password" });
    const [user] = await tx
      .update(users)
      .set({ passwordHash, failedSignIns: 0, lockedUntil: null, status: "active", emailVerified: sql`coalesce(${users.emailVerified}, now())`, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning();
    if (!user) throw new AppError("not_found:user", "This account no longer exists.");
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await logSecurityEvent(tx, { kind: "password_changed", userId, email: user.email, detail: { via: "reset" } });
    return user;
  });
}

export type CredentialsResult = { ok: true; user: User } | { ok: false; reason: "invalid" | "locked" | "disabled"; lockedUntil?: Date };

/**
 * Check email + password with the lockout rule: five failures in a row lock the
 * account for 15 minutes. Every attempt is recorded in security_events.
 */
export async function checkCredentials(
  db: Db,
  { email, password, now = new Date() }: { email: string; password: string; now?: Date },
): Promise<CredentialsResult> {
  const user = await findByEmail(db, { email });
  if (!user?.passwordHash) {
    await logSecurityEvent(db, { kind: "sign_in_failure", userId: user?.id, email, detail: { reason: user ? "no_password" : "unknown_email" } });
    return { ok: false, reason: "invalid" };
  }
  if (user.status === "disabled") {
    await logSecurityEvent(db, { kind: "sign_in_failure", userId: user.id, email, detail: { reason: "disabled" } });
    return { ok: false, reason: "disabled" };
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    await logSecurityEvent(db, { kind: "sign_in_failure", userId: user.id, email, detail: { reason: "locked" } });
    return { ok: false, reason: "locked", lockedUntil: user.lockedUntil };
  }
  if (await verifyPassword(password, user.passwordHash)) {
    const [fresh] = await db
      .update(users)
      .set({ failedSignIns: 0, lockedUntil: null, status: "active" })
      .where(eq(users.id, user.id))
      .returning();
    await logSecurityEvent(db, { kind: "sign_in_success", userId: user.id, email, detail: { method: "password" } });
    return { ok: true, user: fresh ?? user };
  }
  // A lock that has run out starts a fresh count.
  const expiredLock = user.lockedUntil !== null && user.lockedUntil <= now;
  const [counted] = await db
    .update(users)
    .set({ failedSignIns: expiredLock ? 1 : sql`${users.failedSignIns} + 1`, ...(expiredLock ? { lockedUntil: null, status: "active" as const } : {}) })
    .where(eq(users.id, user.id))
    .returning({ failedSignIns: users.failedSignIns });
  await logSecurityEvent(db, { kind: "sign_in_failure", userId: user.id, email, detail: { reason: "wrong_password", attempt: counted?.failedSignIns } });
  if ((counted?.failedSignIns ?? 0) >= MAX_FAILED_SIGN_INS) {
    const lockedUntil = new Date(now.getTime() + LOCKOUT_MS);
    await db.update(users).set({ lockedUntil, status: "locked" }).where(and(eq(users.id, user.id)));
    await logSecurityEvent(db, { kind: "lockout", userId: user.id, email, detail: { until: lockedUntil.toISOString() } });
    return { ok: false, reason: "locked", lockedUntil };
  }
  return { ok: false, reason: "invalid" };
}
