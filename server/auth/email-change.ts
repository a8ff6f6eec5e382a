import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { authTokens, users } from "@/db/schema";
import { AppError } from "@/server/errors";
import { enqueueMail } from "@/server/mail/outbox";
import { hitRateLimit, type RateLimitRule } from "@/server/security/rate-limit";
import { consumeAuthToken, issueAuthToken } from "./one-time-tokens";
import { confirmCurrentPassword } from "./password-change";
import { securityMails } from "./security-mails";
import { logSecurityEvent } from "./security-log";

/** Mails to new addresses per account: an account cannot be used to mail strangers in bulk. */
export const EMAIL_CHANGE_RULE: RateLimitRule = { limit: 3, windowMs: 60 * 60_000 };

async function addressTaken(db: Db, email: string, exceptUserId?: string): Promise<boolean> {
  const [row] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return Boolean(row && row.id !== exceptUserId);
}

/**
 * Ask to move the account to `newEmail`. Nothing changes until the link
 * mailed there is opened; the current address is told at once. The answer
 * is the same whether or not the new address already has an account, so the
 * form reveals nothing about other people's accounts: when it has one, that
 * mailbox gets a mail saying the move was refused instead of a link, and no
 * link exists that could complete it.
 */
export async function requestEmailChange(
  db: Db,
  { userId, newEmail, currentPassword, appUrl }: { userId: string; newEmail: string; currentPassword?: string | null; appUrl: string },
): Promise<{ sentTo: string }> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found:user", "This account no longer exists.");
  const target = newEmail.trim().toLowerCase();
  if (target === user.email.toLowerCase()) throw new AppError("bad_request:email_unchanged", "That is already your address.");
  await confirmCurrentPassword(db, { userId, password: currentPassword });
  const { limited } = await hitRateLimit(db, { key: `email-change:account:${userId}`, rule: EMAIL_CHANGE_RULE });
  if (limited) throw new AppError("rate_limited:email_change", "You asked for several address changes in the last hour. Wait a while and try again.");
  await db.transaction(async (tx) => {
    // Only the newest request counts: earlier links stop working.
    await tx
      .update(authTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, "change_email"), isNull(authTokens.usedAt)));
    if (await addressTaken(tx, target, userId)) {
      await enqueueMail(tx, securityMails.emailChangeTaken(target));
      // The account's own log (shown to whoever holds the session) reads as for any request; only the detail, never shown, says why.
      await logSecurityEvent(tx, { kind: "email_change_requested", userId, email: user.email, detail: { newEmail: target, outcome: "address_in_use" } });
      return;
    }
    const token = await issueAuthToken(tx, { userId, purpose: "change_email", newEmail: target });
    await enqueueMail(tx, securityMails.emailChangeConfirm(target, { url: `${appUrl}/confirm-email?token=${token}`, oldEmail: user.email }));
    await enqueueMail(tx, securityMails.emailChangeRequested(user.email, { newEmail: target }));
    await logSecurityEvent(tx, { kind: "email_change_requested", userId, email: user.email, detail: { newEmail: target } });
  });
  return { sentTo: target };
}

/**
 * The link in the new mailbox was opened: the account's address becomes the
 * new one (verified, since the link proves the mailbox), and the old address
 * is told. If the address was taken meanwhile, nothing changes.
 */
export async function confirmEmailChange(db: Db, { token }: { token: string }): Promise<{ email: string }> {
  return db.transaction(async (tx) => {
    const { userId, newEmail } = await consumeAuthToken(tx, { token, purpose: "change_email" });
    if (!newEmail) throw new AppError("not_found:token", "This address confirmation link is not valid.");
    const [before] = await tx.select().from(users).where(eq(users.id, userId));
    if (!before) throw new AppError("not_found:user", "This account no longer exists.");
    if (await addressTaken(tx, newEmail, userId)) {
      throw new AppError("conflict:email", "This address was taken by another account in the meantime, so your address was not changed.");
    }
    await tx.update(users).set({ email: newEmail, emailVerified: new Date(), updatedAt: new Date() }).where(eq(users.id, userId));
    await enqueueMail(tx, securityMails.emailChanged(before.email, { newEmail }));
    await logSecurityEvent(tx, { kind: "email_changed", userId, email: newEmail, detail: { from: before.email } });
    return { email: newEmail };
  });
}
