import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { passwordHistory, users } from "@/db/schema";
import { AppError } from "@/server/errors";
import { enqueueMail } from "@/server/mail/outbox";
import { hitRateLimit, isRateLimited, type RateLimitRule } from "@/server/security/rate-limit";
import { hashPassword, verifyPassword } from "./password";
import { isRecentPassword, PASSWORD_HISTORY_DEPTH, recordPassword } from "./password-history";
import { securityMails } from "./security-mails";
import { logSecurityEvent } from "./security-log";
import { deleteOtherSessions } from "./server-sessions";

/** Wrong current passwords from the account page, per account: a stolen session cannot guess it fast. */
export const CURRENT_PASSWORD_RULE: RateLimitRule = { limit: 5, windowMs: 15 * 60_000 };

/**
 * Check the signed-in person's current password before a sensitive change
 * (a new password, a new address, turning off two-factor). Rate limited per
 * account. An account without a password (it signs in by link or OAuth) has
 * nothing to check: `required: false`.
 */
export async function confirmCurrentPassword(db: Db, { userId, password }: { userId: string; password: string | null | undefined }): Promise<{ passwordHash: string | null }> {
  const [user] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found:user", "This account no longer exists.");
  if (!user.passwordHash) return { passwordHash: null };
  // Only wrong passwords count, but past the limit even the right one is refused: a guesser learns nothing.
  const key = `current-password:account:${userId}`;
  if (await isRateLimited(db, { key, rule: CURRENT_PASSWORD_RULE })) {
    throw new AppError("rate_limited:current_password", "Too many wrong passwords. Wait 15 minutes and try again.");
  }
  if (!password || !(await verifyPassword(password, user.passwordHash))) {
    await hitRateLimit(db, { key, rule: CURRENT_PASSWORD_RULE });
    throw new AppError("bad_request:current_password", "Your current password is not right.");
  }
  return { passwordHash: user.passwordHash };
}

/**
 * A new password from the account page: needs the current one, may not be
 * any of the last five, and signs out every other session (this one stays).
 * Logged and mailed.
 */
export async function changePassword(
  db: Db,
  { userId, currentPassword, newPassword, keepSessionToken }: { userId: string; currentPassword: string; newPassword: string; keepSessionToken: string | null },
): Promise<{ endedSessions: number }> {
  const { passwordHash: currentHash } = await confirmCurrentPassword(db, { userId, password: currentPassword });
  if (!currentHash) {
    throw new AppError("bad_request:no_password", "Your account has no password yet. Choose one with “Forgot password?” on the sign-in page.");
  }
  if (await isRecentPassword(db, { userId, password: newPassword, currentHash })) {
    throw new AppError("bad_request:password_reused", `Choose a password you have not used recently: the last ${PASSWORD_HISTORY_DEPTH} cannot be used again.`);
  }
  const passwordHash = await hashPassword(newPassword);
  return db.transaction(async (tx) => {
    const [user] = await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId)).returning();
    if (!user) throw new AppError("not_found:user", "This account no longer exists.");
    // The history starts with the password being replaced if it was never recorded (accounts from before it).
    await recordPasswordOnce(tx, { userId, passwordHash: currentHash });
    await recordPassword(tx, { userId, passwordHash });
    const endedSessions = await deleteOtherSessions(tx, { userId, keep: keepSessionToken });
    await logSecurityEvent(tx, { kind: "password_changed", userId, email: user.email, detail: { via: "account", endedSessions } });
    await enqueueMail(tx, securityMails.passwordChanged(user.email, { endedSessions }));
    return { endedSessions };
  });
}

async function recordPasswordOnce(db: Db, { userId, passwordHash }: { userId: string; passwordHash: string }) {
  const [known] = await db
    .select({ id: passwordHistory.id })
    .from(passwordHistory)
    .where(and(eq(passwordHistory.userId, userId), eq(passwordHistory.passwordHash, passwordHash)))
    .limit(1);
  if (!known) await recordPassword(db, { userId, passwordHash, at: new Date(Date.now() - 1000) });
}
