import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { accessTokens, type User, sessions, users } from "@/db/schema";
import { logSecurityEvent } from "./security-log";

/**
 * Someone just proved they read `user`'s mailbox by another route than the
 * password's own verification link (a magic link, OAuth with that verified
 * address, a reset link). If the account's password was never verified, it
 * may have been set by anyone who typed the address into the sign-up form
 * first — the pre-hijack: so the password goes, and with it every session
 * and access token it could have opened. The person who proved the mailbox
 * sets a password again if they want one.
 */
export async function provenByMailbox(db: Db, { user, via }: { user: Pick<User, "id" | "email" | "emailVerified" | "passwordHash">; via: string }): Promise<boolean> {
  if (user.emailVerified || !user.passwordHash) return false;
  await db.update(users).set({ passwordHash: null, updatedAt: new Date() }).where(and(eq(users.id, user.id), isNull(users.emailVerified)));
  await db.delete(sessions).where(eq(sessions.userId, user.id));
  await db
    .update(accessTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accessTokens.userId, user.id), isNull(accessTokens.revokedAt)));
  await logSecurityEvent(db, { kind: "unverified_password_cleared", userId: user.id, email: user.email, detail: { via } });
  return true;
}
