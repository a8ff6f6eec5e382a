import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import type { Db } from "@/db/client";
import { recoveryCodes, totpAuthenticators, users } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/server/billing/provider-keys";
import { AppError } from "@/server/errors";
import { enqueueMail } from "@/server/mail/outbox";
import { hashToken } from "@/server/security/secret-tokens";
import { securityMails } from "./security-mails";
import { logSecurityEvent } from "./security-log";

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30 s. One step either side allows for clock drift. */
const PERIOD_S = 30;
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Arbor";

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

/** The 30-second step a code of `delta` belongs to, counted as the authenticator counts. */
function stepAt(now: number, delta: number): number {
  return Math.floor(now / 1000 / PERIOD_S) + delta;
}

export type TotpEnrolment = { secret: string; uri: string; qrDataUrl: string };

/**
 * Begin adding an authenticator app: a new secret, stored encrypted and
 * unconfirmed — it asks for nothing at sign-in until a code from the app
 * confirms it. Starting again replaces an unconfirmed secret; an account that
 * already has a confirmed app must turn it off first.
 */
export async function startTotpEnrolment(db: Db, { userId }: { userId: string }): Promise<TotpEnrolment> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found:user", "This account no longer exists.");
  const secret = new Secret({ size: 20 }).base32;
  const stored = await db
    .insert(totpAuthenticators)
    .values({ userId, secretEncrypted: encryptSecret(secret) })
    .onConflictDoUpdate({
      target: totpAuthenticators.userId,
      set: { secretEncrypted: encryptSecret(secret), createdAt: new Date(), lastStep: null },
      setWhere: isNull(totpAuthenticators.confirmedAt),
    })
    .returning({ userId: totpAuthenticators.userId });
  if (stored.length === 0) throw new AppError("conflict:totp", "An authenticator app is already set up. Turn it off first to set up another.");
  const uri = totpFor(secret, user.email).toString();
  // A PNG data URL: an <img> the CSP allows (img-src data:), no markup injected into the page.
  const qrDataUrl = await QRCode.toDataURL(uri, { margin: 1, errorCorrectionLevel: "M", width: 176 });
  return { secret, uri, qrDataUrl };
}

function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, "").toLowerCase();
}

/**
 * Whether `code` is the account's current TOTP code and has not been used:
 * the step of an accepted code is stored, and a code of that step or an
 * earlier one is refused (a replay) — by a conditional UPDATE, so two
 * requests racing with one code cannot both pass.
 */
async function acceptTotp(db: Db, { userId, code, confirmed }: { userId: string; code: string; confirmed: boolean }): Promise<boolean> {
  const digits = normalizeCode(code);
  if (!/^\d{6}$/.test(digits)) return false;
  const [row] = await db
    .select()
    .from(totpAuthenticators)
    .where(and(eq(totpAuthenticators.userId, userId), confirmed ? isNotNull(totpAuthenticators.confirmedAt) : isNull(totpAuthenticators.confirmedAt)));
  if (!row) return false;
  const now = Date.now();
  const delta = totpFor(decryptSecret(row.secretEncrypted), "").validate({ token: digits, timestamp: now, window: WINDOW });
  if (delta === null) return false;
  const step = stepAt(now, delta);
  const used = await db
    .update(totpAuthenticators)
    .set({ lastStep: step, ...(confirmed ? {} : { confirmedAt: new Date() }) })
    .where(
      and(
        eq(totpAuthenticators.userId, userId),
        confirmed ? isNotNull(totpAuthenticators.confirmedAt) : isNull(totpAuthenticators.confirmedAt),
        or(isNull(totpAuthenticators.lastStep), lt(totpAuthenticators.lastStep, step)),
      ),
    )
    .returning({ userId: totpAuthenticators.userId });
  return used.length > 0;
}

/** A confirmed account's TOTP code, once. */
export function verifyTotpCode(db: Db, { userId, code }: { userId: string; code: string }): Promise<boolean> {
  return acceptTotp(db, { userId, code, confirmed: true });
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** Replace the account's recovery codes with ten new ones; only their hashes are kept, so these are the only copy. */
async function issueRecoveryCodes(db: Db, { userId }: { userId: string }): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await db.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashToken(normalizeCode(code)) })));
  return codes;
}

/**
 * Finish adding the app with a code it shows. Turns two-factor on, makes ten
 * recovery codes (returned once) and tells the owner by mail.
 */
export async function confirmTotpEnrolment(db: Db, { userId, code }: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
  return db.transaction(async (tx) => {
    const [pending] = await tx
      .select({ userId: totpAuthenticators.userId })
      .from(totpAuthenticators)
      .where(and(eq(totpAuthenticators.userId, userId), isNull(totpAuthenticators.confirmedAt)));
    if (!pending) throw new AppError("bad_request:totp_not_started", "Start by scanning a new QR code: there is no authenticator app waiting to be confirmed.");
    if (!(await acceptTotp(tx, { userId, code, confirmed: false }))) {
      throw new AppError("bad_request:totp_code", "That code is not right. Enter the 6-digit code your app shows now.");
    }
    const codes = await issueRecoveryCodes(tx, { userId });
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await logSecurityEvent(tx, { kind: "totp_enabled", userId, email: user?.email });
    if (user) await enqueueMail(tx, securityMails.totpEnabled(user.email));
    return { recoveryCodes: codes };
  });
}

/** Spend one recovery code of the account (each works once). Mails the owner how many are left. */
export async function spendRecoveryCode(db: Db, { userId, code }: { userId: string; code: string }): Promise<boolean> {
  const normalized = normalizeCode(code);
  if (!/^[a-z0-9]{10}$/.test(normalized)) return false;
  const spent = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashToken(normalized)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  if (spent.length === 0) return false;
  const left = await recoveryCodesLeft(db, { userId });
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  await logSecurityEvent(db, { kind: "recovery_code_used", userId, email: user?.email, detail: { left } });
  if (user) await enqueueMail(db, securityMails.recoveryCodeUsed(user.email, { left }));
  return true;
}

export async function recoveryCodesLeft(db: Db, { userId }: { userId: string }): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return row?.n ?? 0;
}

export async function totpStatus(db: Db, { userId }: { userId: string }): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
  const [row] = await db
    .select({ userId: totpAuthenticators.userId })
    .from(totpAuthenticators)
    .where(and(eq(totpAuthenticators.userId, userId), isNotNull(totpAuthenticators.confirmedAt)));
  return { enabled: Boolean(row), recoveryCodesLeft: row ? await recoveryCodesLeft(db, { userId }) : 0 };
}

/** A code from the app, or failing that a recovery code (a lost phone should not lock the owner in). */
export async function verifyTotpOrRecoveryCode(db: Db, { userId, code }: { userId: string; code: string }): Promise<"totp" | "recovery_code" | null> {
  if (await verifyTotpCode(db, { userId, code })) return "totp";
  if (await spendRecoveryCode(db, { userId, code })) return "recovery_code";
  return null;
}

/** New recovery codes for an account with the app on (the caller has checked the password and a code); logged and mailed. */
export async function replaceRecoveryCodes(db: Db, { userId }: { userId: string }): Promise<{ recoveryCodes: string[] }> {
  return db.transaction(async (tx) => {
    const codes = await issueRecoveryCodes(tx, { userId });
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await logSecurityEvent(tx, { kind: "recovery_codes_regenerated", userId, email: user?.email });
    if (user) await enqueueMail(tx, securityMails.recoveryCodesRegenerated(user.email));
    return { recoveryCodes: codes };
  });
}

/** Turn the app off (the caller has checked the password and a code): the secret and every recovery code go. */
export async function removeTotp(db: Db, { userId }: { userId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(totpAuthenticators).where(eq(totpAuthenticators.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await logSecurityEvent(tx, { kind: "totp_disabled", userId, email: user?.email });
    if (user) await enqueueMail(tx, securityMails.totpDisabled(user.email));
  });
}
