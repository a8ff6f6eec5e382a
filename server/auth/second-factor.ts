import "server-only";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { cancelDeletionOnSignIn } from "@/server/account/deletion";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { clearRateLimit, hitRateLimit, type RateLimitRule } from "@/server/security/rate-limit";
import { verifyPasskeyAssertion } from "./passkeys";
import { confirmCurrentPassword } from "./password-change";
import { logSecurityEvent } from "./security-log";
import { promoteSession, resolvePendingSession } from "./server-sessions";
import { removeTotp, replaceRecoveryCodes, totpStatus, verifyTotpCode, verifyTotpOrRecoveryCode } from "./totp";

const MINUTE = 60_000;
/**
 * Code and passkey attempts, per account and per client address, the same
 * sliding windows as password sign-in (server/security/rate-limit.ts). Six
 * digits are a million guesses; five a quarter of an hour make them useless.
 */
export const SECOND_FACTOR_LIMITS: { account: RateLimitRule; address: RateLimitRule } = {
  account: { limit: 5, windowMs: 15 * MINUTE },
  address: { limit: 30, windowMs: 15 * MINUTE },
};

const accountKey = (userId: string) => `second-factor:account:${userId}`;

/** Count one attempt for the account and the address; refuse past either limit (before any code is checked). */
export async function spendSecondFactorAttempt(db: Db, { userId, address }: { userId: string; address: string }): Promise<void> {
  const byAddress = { ...SECOND_FACTOR_LIMITS.address, limit: SECOND_FACTOR_LIMITS.address.limit * getEnv().RATE_LIMIT_ADDRESS_FACTOR };
  const fromAddress = await hitRateLimit(db, { key: `second-factor:address:${address}`, rule: byAddress });
  const forAccount = await hitRateLimit(db, { key: accountKey(userId), rule: SECOND_FACTOR_LIMITS.account });
  if (fromAddress.limited || forAccount.limited) {
    await logSecurityEvent(db, { kind: "second_factor_failure", userId, detail: { reason: "rate_limited" } });
    throw new AppError("rate_limited:second_factor", "Too many codes tried. Wait 15 minutes and try again.");
  }
}

export async function forgetSecondFactorFailures(db: Db, { userId }: { userId: string }): Promise<void> {
  await clearRateLimit(db, { key: accountKey(userId) });
}

/**
 * The second factor was right: the waiting session becomes a full one. Only
 * now is the sign-in complete, so only now does it cancel a scheduled account
 * deletion (never the password alone), and the failed attempts are forgotten.
 */
async function becomeFullSession(db: Db, { sessionToken, userId, method }: { sessionToken: string; userId: string; method: "totp" | "recovery_code" | "passkey" }): Promise<void> {
  if (!(await promoteSession(db, { sessionToken }))) throw new AppError("unauthorized:second_factor", "This sign-in has expired. Sign in again.");
  await cancelDeletionOnSignIn(db, { userId });
  await forgetSecondFactorFailures(db, { userId });
  await logSecurityEvent(db, { kind: "second_factor_success", userId, detail: { method } });
}

/**
 * Finish a sign-in that waits for its second factor with a code from the
 * authenticator app or a recovery code: the session becomes a full one.
 * Wrong, replayed and used-up codes are refused alike.
 */
export async function completeWithCode(db: Db, { sessionToken, code, address }: { sessionToken: string; code: string; address: string }): Promise<{ method: "totp" | "recovery_code" }> {
  const pending = await resolvePendingSession(db, { sessionToken });
  if (!pending) throw new AppError("unauthorized:second_factor", "This sign-in has expired. Sign in again.");
  await spendSecondFactorAttempt(db, { userId: pending.id, address });
  const method = (await totpStatus(db, { userId: pending.id })).enabled ? await verifyTotpOrRecoveryCode(db, { userId: pending.id, code }) : null;
  if (!method) {
    await logSecurityEvent(db, { kind: "second_factor_failure", userId: pending.id, detail: { reason: "wrong_code" } });
    throw new AppError("bad_request:second_factor_code", "That code is not right, or it was already used. Enter the code your app shows now, or an unused recovery code.");
  }
  await becomeFullSession(db, { sessionToken, userId: pending.id, method });
  return { method };
}

/** Turn off the authenticator app: needs the password (if the account has one) and a current code or a recovery code. */
export async function disableTotp(db: Db, { userId, password, code, address }: { userId: string; password: string | null; code: string; address: string }): Promise<void> {
  if (!(await totpStatus(db, { userId })).enabled) throw new AppError("bad_request:totp_off", "Two-factor sign-in with an app is not on.");
  await confirmCurrentPassword(db, { userId, password });
  await spendSecondFactorAttempt(db, { userId, address });
  if (!(await verifyTotpOrRecoveryCode(db, { userId, code }))) {
    await logSecurityEvent(db, { kind: "second_factor_failure", userId, detail: { reason: "wrong_code", while: "disable" } });
    throw new AppError("bad_request:second_factor_code", "That code is not right, or it was already used.");
  }
  await forgetSecondFactorFailures(db, { userId });
  await removeTotp(db, { userId });
}

/** Finish a sign-in that waits for its second factor with one of the account's passkeys. */
export async function completeWithPasskey(db: Db, { sessionToken, response, address }: { sessionToken: string; response: AuthenticationResponseJSON; address: string }): Promise<void> {
  const pending = await resolvePendingSession(db, { sessionToken });
  if (!pending) throw new AppError("unauthorized:second_factor", "This sign-in has expired. Sign in again.");
  await spendSecondFactorAttempt(db, { userId: pending.id, address });
  try {
    await verifyPasskeyAssertion(db, { response, userId: pending.id });
  } catch (error) {
    await logSecurityEvent(db, { kind: "second_factor_failure", userId: pending.id, detail: { reason: "passkey_refused" } });
    throw error;
  }
  await becomeFullSession(db, { sessionToken, userId: pending.id, method: "passkey" });
}

/** Passkey sign-ins per client address (nobody is known until the assertion is checked). */
export const PASSKEY_SIGN_IN_RULE: RateLimitRule = { limit: 30, windowMs: 15 * MINUTE };

/** Sign in with a passkey alone: the account whose passkey signed our challenge, if it may sign in. */
export async function signInWithPasskey(db: Db, { response, address }: { response: AuthenticationResponseJSON; address: string }) {
  const rule = { ...PASSKEY_SIGN_IN_RULE, limit: PASSKEY_SIGN_IN_RULE.limit * getEnv().RATE_LIMIT_ADDRESS_FACTOR };
  if ((await hitRateLimit(db, { key: `passkey:address:${address}`, rule })).limited) {
    throw new AppError("rate_limited:passkey", "Too many passkey attempts from your network. Wait a few minutes and try again.");
  }
  const { userId } = await verifyPasskeyAssertion(db, { response, userId: null });
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("bad_request:passkey", "This passkey could not be verified for Arbor. Try again, or use another one.");
  if (user.status === "disabled") {
    await logSecurityEvent(db, { kind: "sign_in_failure", userId, email: user.email, detail: { reason: "disabled", method: "passkey" } });
    throw new AppError("forbidden:account_disabled", "This account has been disabled. Contact support if you think this is a mistake.");
  }
  return user;
}

/**
 * Ten new recovery codes (the old ones stop working), for someone who has
 * used several or fears they were seen: needs the password and a current
 * code from the app, like turning it off. Returned once.
 */
export async function regenerateRecoveryCodes(db: Db, { userId, password, code, address }: { userId: string; password: string | null; code: string; address: string }): Promise<{ recoveryCodes: string[] }> {
  if (!(await totpStatus(db, { userId })).enabled) throw new AppError("bad_request:totp_off", "Two-factor sign-in with an app is not on.");
  await confirmCurrentPassword(db, { userId, password });
  await spendSecondFactorAttempt(db, { userId, address });
  if (!(await verifyTotpCode(db, { userId, code }))) {
    await logSecurityEvent(db, { kind: "second_factor_failure", userId, detail: { reason: "wrong_code", while: "regenerate" } });
    throw new AppError("bad_request:second_factor_code", "That code is not right, or it was already used. Enter the code your app shows now.");
  }
  await forgetSecondFactorFailures(db, { userId });
  return replaceRecoveryCodes(db, { userId });
}
