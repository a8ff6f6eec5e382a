import "server-only";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type AuthTokenPurpose, authTokens } from "@/db/schema";
import { AppError } from "@/server/errors";
import { hashToken, newToken } from "@/server/security/secret-tokens";

const LIFETIME_MS: Record<AuthTokenPurpose, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  reset_password: 60 * 60 * 1000,
  change_email: 24 * 60 * 60 * 1000,
};

export async function issueAuthToken(db: Db, { userId, purpose, newEmail }: { userId: string; purpose: AuthTokenPurpose; newEmail?: string }): Promise<string> {
  const token = newToken();
  await db.insert(authTokens).values({
    userId,
    purpose,
    newEmail: newEmail ?? null,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + LIFETIME_MS[purpose]),
  });
  return token;
}

/**
 * Use a one-time token: the conditional UPDATE marks it used only if it is
 * unused and unexpired, so two clicks on the same link cannot both succeed.
 */
export async function consumeAuthToken(db: Db, { token, purpose }: { token: string; purpose: AuthTokenPurpose }): Promise<{ userId: string; tokenId: string; newEmail: string | null }> {
  const hash = hashToken(token);
  const [used] = await db
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(eq(authTokens.tokenHash, hash), eq(authTokens.purpose, purpose), isNull(authTokens.usedAt), gt(authTokens.expiresAt, new Date())),
    )
    .returning({ userId: authTokens.userId, tokenId: authTokens.id, newEmail: authTokens.newEmail });
  if (used) return used;
  const [existing] = await db.select().from(authTokens).where(eq(authTokens.tokenHash, hash));
  const what = purpose === "verify_email" ? "verification" : purpose === "change_email" ? "address confirmation" : "password reset";
  if (!existing || existing.purpose !== purpose) throw new AppError("not_found:token", `This ${what} link is not valid. Check that you copied the whole link.`);
  if (existing.usedAt) throw new AppError("gone:token", `This ${what} link has already been used.`);
  throw new AppError("gone:token", `This ${what} link has expired. Request a new one.`);
}
