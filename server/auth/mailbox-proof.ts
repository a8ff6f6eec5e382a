import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessTokens, providerKeys, type User, sessions, users } from "@/db/schema";
import { getEnv } from "@/server/env";
import { enqueueMail } from "@/server/mail/outbox";
import { authMails } from "./mails";
import { logSecurityEvent } from "./security-log";

/**
 * Someone just proved they read `user`'s mailbox by another route than the
 * password's own verification link (a magic link, OAuth with that verified
 * address, a reset link). If the account's password was never verified, it
 * may have been set by anyone who typed the address into the sign-up form
 * first — the pre-hijack: so the password goes, and with it every session
 * and access token it could have opened, and any provider key it added (so
 * the owner's prompts never travel on a key someone else controls). The
 * owner gets a mail saying so, and what to check: projects and members made
 * before verification stay, because the owner may have made them.
 */
export async function provenByMailbox(db: Db, { user, via }: { user: Pick<User, "id" | "email" | "emailVerified" | "passwordHash">; via: "magic_link" | "reset" }): Promise<boolean> {
  if (user.emailVerified || !user.passwordHash) return false;
  await db.update(users).set({ passwordHash: null, updatedAt: new Date() }).where(and(eq(users.id, user.id), isNull(users.emailVerified)));
  await db.delete(sessions).where(eq(sessions.userId, user.id));
  await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.userId, user.id), isNull(accessTokens.revokedAt)));
  await db.delete(providerKeys).where(eq(providerKeys.userId, user.id));
  // A reset sets the new password in the same breath; only a sign-in link leaves the owner without one.
  if (via !== "reset") {
    const appUrl = getEnv().APP_URL;
    await enqueueMail(db, authMails.unverifiedPasswordCleared(user.email, { reset: `${appUrl}/forgot-password`, projects: `${appUrl}/dashboard` }));
  }
  await logSecurityEvent(db, { kind: "unverified_password_cleared", userId: user.id, email: user.email, detail: { via } });
  return true;
}
