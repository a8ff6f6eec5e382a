import "server-only";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { authTokens, type User, sessions, users } from "@/db/schema";
import { AppError } from "@/server/errors";
import { recordSignUpConsents } from "@/server/account/consents";
import { enqueueMail } from "@/server/mail/outbox";
import { addressAllowed, forgetAccountFailures, spendAccountAllowance, spendAddressAllowance } from "./abuse-limits";
import { authMails } from "./mails";
import { provenByMailbox } from "./mailbox-proof";
import { isRecentPassword, PASSWORD_HISTORY_DEPTH, recordPassword } from "./password-history";
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from "./password";
import { logSecurityEvent } from "./security-log";
import { consumeAuthToken, issueAuthToken } from "./one-time-tokens";

async function findByEmail(db: Db, { email }: { email: string }): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return user;
}

/** Who is asking, for per-address limits (server/security/client-address.ts). */
type From = { address: string };

export type SignUpResult = { created: true; user: User } | { created: false };

/**
 * Create the account and queue its verification mail in one transaction. An
 * address that already has an account is not told so: its owner gets a mail
 * saying someone tried (with links to sign in or reset), and the caller
 * learns only `created: false`. Both paths hash the password, so they take
 * about as long.
 */
export async function signUp(
  db: Db,
  { email, password, name, appUrl, address }: { email: string; password: string; name?: string; appUrl: string } & From,
): Promise<SignUpResult> {
  await spendAddressAllowance(db, { flow: "sign-up", address });
  const passwordHash = await hashPassword(password);
  const existing = await findByEmail(db, { email });
  if (!existing) {
    try {
      const user = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(users)
          .values({ email, name: name || null, passwordHash })
          .returning();
        if (!row) throw new Error("user insert returned nothing");
        await recordPassword(tx, { userId: row.id, passwordHash });
        const token = await issueAuthToken(tx, { userId: row.id, purpose: "verify_email" });
        await enqueueMail(tx, authMails.verifyEmail(row.email, `${appUrl}/verify-email?token=${token}`));
        await logSecurityEvent(tx, { kind: "sign_up", userId: row.id, email: row.email });
        // The form's clickwrap: signing up is accepting the versions it showed (checked by the caller).
        await recordSignUpConsents(tx, { userId: row.id, method: "sign_up" });
        return row;
      });
      return { created: true, user };
    } catch (error) {
      // Two sign-ups of one new address at once: the loser is told what an existing address is told.
      if (!(await findByEmail(db, { email }))) throw error;
    }
  }
  const owner = existing ?? (await findByEmail(db, { email }));
  const { allowed } = await spendAccountAllowance(db, { flow: "sign-up", email });
  if (owner && allowed && owner.status !== "disabled") {
    await enqueueMail(db, authMails.signUpExisting(owner.email, { signIn: `${appUrl}/sign-in`, reset: `${appUrl}/forgot-password` }));
    await logSecurityEvent(db, { kind: "sign_up_existing", userId: owner.id, email: owner.email });
  }
  return { created: false };
}

export async function resendVerification(db: Db, { userId, appUrl, address }: { userId: string; appUrl: string } & From): Promise<void> {
  await spendAddressAllowance(db, { flow: "resend", address });
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user || user.emailVerified) return;
  const { allowed } = await spendAccountAllowance(db, { flow: "resend", email: user.email });
  if (!allowed) {
    throw new AppError("rate_limited:resend", "We already sent you several links in the last hour. Check your inbox (and spam folder), or try again later.");
  }
  await db.transaction(async (tx) => {
    const token = await issueAuthToken(tx, { userId: user.id, purpose: "verify_email" });
    await enqueueMail(tx, authMails.verifyEmail(user.email, `${appUrl}/verify-email?token=${token}`));
  });
}

/**
 * Mail a sign-in link Auth.js made. Over a limit nothing is sent and nothing
 * is said: the page reads "check your email" either way, so it tells nobody
 * whether the address has an account.
 */
export async function sendSignInLink(db: Db, { email, url, address }: { email: string; url: string } & From): Promise<{ sent: boolean }> {
  if (!(await addressAllowed(db, { flow: "magic-link", address }))) {
    await logSecurityEvent(db, { kind: "magic_link_requested", email, detail: { sent: false, reason: "address_limit" } });
    return { sent: false };
  }
  const { allowed } = await spendAccountAllowance(db, { flow: "magic-link", email });
  if (allowed) await enqueueMail(db, authMails.magicLink(email, url));
  await logSecurityEvent(db, { kind: "magic_link_requested", email, detail: allowed ? undefined : { sent: false, reason: "account_limit" } });
  return { sent: allowed };
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

/**
 * Always succeeds from the caller's view, so the form does not reveal which
 * emails have accounts; the per-account limit applies to unknown addresses
 * too, and when it is used up nothing is sent, silently.
 */
export async function requestPasswordReset(db: Db, { email, appUrl, address }: { email: string; appUrl: string } & From): Promise<void> {
  await spendAddressAllowance(db, { flow: "reset", address });
  const { allowed } = await spendAccountAllowance(db, { flow: "reset", email });
  if (!allowed) return;
  await db.transaction(async (tx) => {
    const user = await findByEmail(tx, { email });
    if (!user || user.status === "disabled") return;
    const token = await issueAuthToken(tx, { userId: user.id, purpose: "reset_password" });
    await enqueueMail(tx, authMails.resetPassword(user.email, `${appUrl}/reset-password?token=${token}`));
    await logSecurityEvent(tx, { kind: "password_reset_requested", userId: user.id, email: user.email });
  });
}

/**
 * A new password signs out every existing session, ends a run of failed
 * sign-ins and spends every other reset link. It never re-enables a disabled
 * account: that is an operator's decision, not a mailbox's.
 */
export async function resetPassword(db: Db, { token, password }: { token: string; password: string }): Promise<User> {
  const passwordHash = await hashPassword(password);
  const user = await db.transaction(async (tx) => {
    const { userId, tokenId } = await consumeAuthToken(tx, { token, purpose: "reset_password" });
    const [before] = await tx.select().from(users).where(eq(users.id, userId));
    if (!before) throw new AppError("not_found:user", "This account no longer exists.");
    if (before.status === "disabled") {
      throw new AppError("forbidden:account_disabled", "This account has been disabled, so its password cannot be reset. Contact support if you think this is a mistake.");
    }
    if (await isRecentPassword(tx, { userId, password, currentHash: before.passwordHash })) {
      throw new AppError("bad_request:password_reused", `Choose a password you have not used recently: the last ${PASSWORD_HISTORY_DEPTH} cannot be used again.`);
    }
    // The link reached the mailbox: whatever an unverified password did before is the past.
    await provenByMailbox(tx, { user: before, via: "reset" });
    const [updated] = await tx
      .update(users)
      .set({ passwordHash, emailVerified: sql`coalesce(${users.emailVerified}, now())`, updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning();
    if (!updated) throw new AppError("not_found:user", "This account no longer exists.");
    await recordPassword(tx, { userId, passwordHash });
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await tx
      .update(authTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, "reset_password"), isNull(authTokens.usedAt), ne(authTokens.id, tokenId)));
    await logSecurityEvent(tx, { kind: "password_changed", userId, email: updated.email, detail: { via: "reset" } });
    return updated;
  });
  await forgetAccountFailures(db, { flow: "sign-in", email: user.email });
  return user;
}

export type CredentialsResult = { ok: true; user: User } | { ok: false; reason: "invalid" | "locked" | "disabled" | "rate_limited" };

/**
 * Check email + password. Each attempt first reserves one of the address's
 * AUTH_LIMITS["sign-in"] checks (atomically, so 200 parallel attempts get
 * exactly that many password checks, never more); past the limit the answer
 * is "locked" without a check. The same count runs for addresses without an
 * account, which also pay for a decoy hash, so neither the answer nor its
 * timing tells whether an account exists. A disabled account is named only
 * to someone who knows its password. Every attempt is recorded in security_events.
 */
export async function checkCredentials(db: Db, { email, password, address }: { email: string; password: string } & From): Promise<CredentialsResult> {
  if (!(await addressAllowed(db, { flow: "sign-in", address }))) {
    await logSecurityEvent(db, { kind: "sign_in_failure", email, detail: { reason: "address_limit", address } });
    return { ok: false, reason: "rate_limited" };
  }
  const turn = await spendAccountAllowance(db, { flow: "sign-in", email });
  const user = await findByEmail(db, { email });
  if (!turn.allowed) {
    await logSecurityEvent(db, { kind: "sign_in_failure", userId: user?.id, email, detail: { reason: "locked", attempt: turn.attempt } });
    return { ok: false, reason: "locked" };
  }
  const hash = user?.passwordHash;
  const right = hash ? await verifyPassword(password, hash) : await burnPasswordCheck(password);
  if (!user || !hash || !right) {
    const reason = !user ? "unknown_email" : !hash ? "no_password" : "wrong_password";
    await logSecurityEvent(db, { kind: "sign_in_failure", userId: user?.id, email, detail: { reason, attempt: turn.attempt } });
    if (!turn.last) return { ok: false, reason: "invalid" };
    if (user) await logSecurityEvent(db, { kind: "lockout", userId: user.id, email });
    return { ok: false, reason: "locked" };
  }
  if (user.status === "disabled") {
    await logSecurityEvent(db, { kind: "sign_in_failure", userId: user.id, email, detail: { reason: "disabled" } });
    return { ok: false, reason: "disabled" };
  }
  await forgetAccountFailures(db, { flow: "sign-in", email });
  let fresh = user;
  if (needsRehash(hash)) {
    const [rehashed] = await db
      .update(users)
      .set({ passwordHash: await hashPassword(password) })
      // Only if nobody changed the password meanwhile.
      .where(and(eq(users.id, user.id), eq(users.passwordHash, hash)))
      .returning();
    if (rehashed) fresh = rehashed;
  }
  await logSecurityEvent(db, { kind: "sign_in_success", userId: user.id, email, detail: { method: "password" } });
  return { ok: true, user: fresh };
}
