import "server-only";
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { and, desc, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { passkeys, users, webauthnChallenges } from "@/db/schema";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { enqueueMail } from "@/server/mail/outbox";
import { securityMails } from "./security-mails";
import { logSecurityEvent } from "./security-log";

/** A ceremony must finish within this long; its challenge works once. */
const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * The relying party is APP_URL: its host is the RP ID and its origin the
 * only origin accepted, so a passkey made for (or an assertion signed on)
 * another site is refused by the signature check itself.
 */
export function relyingParty(): { rpID: string; origin: string; rpName: string } {
  const url = new URL(getEnv().APP_URL);
  return { rpID: url.hostname, origin: url.origin, rpName: "Arbor" };
}

async function storeChallenge(db: Db, { challenge, userId, purpose }: { challenge: string; userId: string | null; purpose: "register" | "authenticate" }) {
  await db.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, new Date()));
  await db.insert(webauthnChallenges).values({ challenge, userId, purpose, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) });
}

/** Spend a challenge we issued (for this purpose and, where given, this account); false if it is unknown, used or expired. */
async function consumeChallenge(db: Db, { challenge, userId, purpose }: { challenge: string; userId: string | null; purpose: "register" | "authenticate" }): Promise<boolean> {
  const owner = userId ? eq(webauthnChallenges.userId, userId) : isNull(webauthnChallenges.userId);
  const spent = await db
    .delete(webauthnChallenges)
    .where(and(eq(webauthnChallenges.challenge, challenge), eq(webauthnChallenges.purpose, purpose), owner, gt(webauthnChallenges.expiresAt, new Date())))
    .returning({ id: webauthnChallenges.id });
  return spent.length > 0;
}

export async function listPasskeys(db: Db, { userId }: { userId: string }) {
  return db
    .select({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(desc(passkeys.createdAt));
}

/** Options for the browser's navigator.credentials.create(): a discoverable credential, so it can sign in on its own later. */
export async function passkeyRegistrationOptions(db: Db, { userId }: { userId: string }) {
  const [user] = await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found:user", "This account no longer exists.");
  const existing = await db.select({ credentialId: passkeys.credentialId, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId));
  const { rpID, rpName } = relyingParty();
  const options = await generateRegistrationOptions({
    rpName,
    rpID,
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    userID: new TextEncoder().encode(userId),
    attestationType: "none",
    excludeCredentials: existing.map((k) => ({ id: k.credentialId, transports: k.transports ?? undefined })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
  await storeChallenge(db, { challenge: options.challenge, userId, purpose: "register" });
  return options;
}

/** Keep the passkey the browser made, if it answers our challenge for our origin. Logged and mailed. */
export async function registerPasskey(db: Db, { userId, response, name }: { userId: string; response: RegistrationResponseJSON; name: string }) {
  const { rpID, origin } = relyingParty();
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: (challenge) => consumeChallenge(db, { challenge, userId, purpose: "register" }),
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
  } catch (error) {
    throw refused(error);
  }
  if (!verification.verified) throw refused(null);
  const { credential } = verification.registrationInfo;
  const label = name.trim() || "Passkey";
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(passkeys)
      .values({
        userId,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: credential.transports ?? null,
        name: label,
      })
      .onConflictDoNothing()
      .returning({ id: passkeys.id, name: passkeys.name });
    if (!row) throw new AppError("conflict:passkey", "This passkey is already registered.");
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await logSecurityEvent(tx, { kind: "passkey_added", userId, email: user?.email, detail: { name: label } });
    if (user) await enqueueMail(tx, securityMails.passkeyAdded(user.email, { name: label }));
    return row;
  });
}

function refused(error: unknown): AppError {
  if (error) console.info("[auth] passkey refused:", error instanceof Error ? error.message : error);
  return new AppError("bad_request:passkey", "This passkey could not be verified for Arbor. Try again, or use another one.");
}

export async function renamePasskey(db: Db, { userId, passkeyId, name }: { userId: string; passkeyId: string; name: string }) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(passkeys)
      .set({ name: name.trim() })
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)))
      .returning({ id: passkeys.id, name: passkeys.name });
    if (!row) throw new AppError("not_found:passkey", "That passkey is not one of yours, or it was removed.");
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await logSecurityEvent(tx, { kind: "passkey_renamed", userId, email: user?.email, detail: { name: row.name } });
    if (user) await enqueueMail(tx, securityMails.passkeyRenamed(user.email, { name: row.name }));
    return row;
  });
}

export async function removePasskey(db: Db, { userId, passkeyId }: { userId: string; passkeyId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId)))
      .returning({ name: passkeys.name });
    if (!row) throw new AppError("not_found:passkey", "That passkey is not one of yours, or it was removed.");
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
    await logSecurityEvent(tx, { kind: "passkey_removed", userId, email: user?.email, detail: { name: row.name } });
    if (user) await enqueueMail(tx, securityMails.passkeyRemoved(user.email, { name: row.name }));
  });
}

/**
 * Options for navigator.credentials.get(). Without `userId` (sign-in with a
 * passkey alone) the browser offers any discoverable passkey for this site;
 * with it (the second factor) only that account's.
 */
export async function passkeyAuthenticationOptions(db: Db, { userId }: { userId: string | null }) {
  const { rpID } = relyingParty();
  const allow = userId ? await db.select({ credentialId: passkeys.credentialId, transports: passkeys.transports }).from(passkeys).where(eq(passkeys.userId, userId)) : [];
  const options = await generateAuthenticationOptions({
    rpID,
    userVerification: "preferred",
    allowCredentials: allow.map((k) => ({ id: k.credentialId, transports: k.transports ?? undefined })),
  });
  await storeChallenge(db, { challenge: options.challenge, userId, purpose: "authenticate" });
  return options;
}

/**
 * Check an assertion: a passkey we know, signing our challenge for our
 * origin and RP ID, with a counter that moved on (if the authenticator keeps
 * one). With `userId` it must also be that account's. Returns the account.
 */
export async function verifyPasskeyAssertion(db: Db, { response, userId }: { response: AuthenticationResponseJSON; userId: string | null }): Promise<{ userId: string; passkeyId: string }> {
  const [key] = await db.select().from(passkeys).where(eq(passkeys.credentialId, response.id));
  if (!key || (userId && key.userId !== userId)) throw refused(null);
  const { rpID, origin } = relyingParty();
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: (challenge) => consumeChallenge(db, { challenge, userId, purpose: "authenticate" }),
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: key.credentialId,
        publicKey: new Uint8Array(Buffer.from(key.publicKey, "base64url")),
        counter: key.counter,
        transports: key.transports ?? undefined,
      },
      requireUserVerification: false,
    });
  } catch (error) {
    throw refused(error);
  }
  if (!result.verified) throw refused(null);
  await db.update(passkeys).set({ counter: result.authenticationInfo.newCounter, lastUsedAt: new Date() }).where(eq(passkeys.id, key.id));
  return { userId: key.userId, passkeyId: key.id };
}
