import "server-only";
import { desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { passwordHistory } from "@/db/schema";
import { verifyPassword } from "./password";

/** A new password may not be any of the account's last five (the current one included). */
export const PASSWORD_HISTORY_DEPTH = 5;

/**
 * Whether `password` is one of the last five. Accounts from before the
 * history began have only their current hash, which is checked as well.
 */
export async function isRecentPassword(db: Db, { userId, password, currentHash }: { userId: string; password: string; currentHash: string | null }): Promise<boolean> {
  const rows = await db
    .select({ hash: passwordHistory.passwordHash })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, userId))
    .orderBy(desc(passwordHistory.createdAt))
    .limit(PASSWORD_HISTORY_DEPTH);
  const hashes = new Set(rows.map((r) => r.hash));
  if (currentHash) hashes.add(currentHash);
  for (const hash of hashes) if (await verifyPassword(password, hash)) return true;
  return false;
}

/** Record a password the account now has, and forget any beyond the last five. */
export async function recordPassword(db: Db, { userId, passwordHash, at = new Date() }: { userId: string; passwordHash: string; at?: Date }): Promise<void> {
  // The app's clock, not the transaction's now(): two passwords recorded in one transaction still have an order.
  await db.insert(passwordHistory).values({ userId, passwordHash, createdAt: at });
  const keep = await db
    .select({ id: passwordHistory.id })
    .from(passwordHistory)
    .where(eq(passwordHistory.userId, userId))
    .orderBy(desc(passwordHistory.createdAt))
    .offset(PASSWORD_HISTORY_DEPTH);
  if (keep.length) await db.delete(passwordHistory).where(inArray(passwordHistory.id, keep.map((r) => r.id)));
}
