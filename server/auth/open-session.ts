import "server-only";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { knownBrowsers, passkeys, totpAuthenticators, users } from "@/db/schema";
import { cancelDeletionOnSignIn } from "@/server/account/deletion";
import { describeBrowser, truncateAddress } from "@/server/account/session-list";
import { enqueueMail } from "@/server/mail/outbox";
import { hashToken } from "@/server/security/secret-tokens";
import { securityMails } from "./security-mails";
import { logSecurityEvent } from "./security-log";
import { createServerSession, type SessionStage } from "./server-sessions";

/** The cookie proxy.ts gives every browser: a random id, so a sign-in can tell a browser it has seen from a new one. */
export const BROWSER_COOKIE = "arbor-browser";

/** How a sign-in proved the first factor; a passkey proves both. */
export type SignInMethod = "password" | "email" | "passkey" | (string & {});

/** Whether the account asks for a second factor: a confirmed authenticator app or any passkey. */
export async function hasSecondFactor(db: Db, { userId }: { userId: string }): Promise<{ totp: boolean; passkey: boolean; any: boolean }> {
  const [totp] = await db
    .select({ userId: totpAuthenticators.userId })
    .from(totpAuthenticators)
    .where(and(eq(totpAuthenticators.userId, userId), isNotNull(totpAuthenticators.confirmedAt)));
  const [key] = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, userId)).limit(1);
  return { totp: Boolean(totp), passkey: Boolean(key), any: Boolean(totp || key) };
}

/**
 * Open the server-side session of a sign-in whose first factor was right.
 * An account with a second factor gets a session that only opens the
 * second-factor page until a code or passkey completes it (a passkey
 * sign-in is already both factors). A browser the account has not signed in
 * from before — by its cookie — gets the owner a mail naming it; the very
 * first browser of an account (the one that signed up) is simply remembered.
 * Only a full sign-in cancels a scheduled account deletion: one that still owes
 * its second factor cancels it when the factor is given (second-factor.ts).
 */
export async function openSignInSession(
  db: Db,
  { userId, method, userAgent, address, browserToken }: { userId: string; method: SignInMethod; userAgent: string | null; address: string | null; browserToken: string | null },
): Promise<{ sessionToken: string; stage: SessionStage; newBrowser: boolean }> {
  const stage: SessionStage = method !== "passkey" && (await hasSecondFactor(db, { userId })).any ? "second_factor" : "full";
  const sessionToken = await createServerSession(db, { userId, stage, userAgent, address });
  const newBrowser = await rememberBrowser(db, { userId, userAgent, address, browserToken });
  if (stage === "full") await cancelDeletionOnSignIn(db, { userId });
  return { sessionToken, stage, newBrowser };
}

async function rememberBrowser(
  db: Db,
  { userId, userAgent, address, browserToken }: { userId: string; userAgent: string | null; address: string | null; browserToken: string | null },
): Promise<boolean> {
  const { label } = describeBrowser(userAgent);
  const [seenBefore] = await db.select({ n: sql<number>`count(*)::int` }).from(knownBrowsers).where(eq(knownBrowsers.userId, userId));
  const firstEver = (seenBefore?.n ?? 0) === 0;
  if (browserToken) {
    const inserted = await db
      .insert(knownBrowsers)
      .values({ userId, browserHash: hashToken(browserToken), label })
      .onConflictDoUpdate({
        target: [knownBrowsers.userId, knownBrowsers.browserHash],
        set: { signIns: sql`${knownBrowsers.signIns} + 1`, lastSeenAt: new Date(), label },
      })
      .returning({ signIns: knownBrowsers.signIns });
    if ((inserted[0]?.signIns ?? 1) > 1) return false;
  }
  if (firstEver) return false;
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (!user) return false;
  await enqueueMail(db, securityMails.newBrowser(user.email, { browser: label, address: truncateAddress(address) }));
  await logSecurityEvent(db, { kind: "new_browser", userId, detail: { browser: label, address: truncateAddress(address) } });
  return true;
}
