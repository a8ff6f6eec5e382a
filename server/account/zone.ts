import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { userPreferences, users } from "@/db/schema";
import { safeZone } from "@/lib/datetime";

/**
 * The time zone to state a time in for this person: their preference, or UTC
 * (no preference, no account, or a signed-out visitor). Mails and the
 * server's own messages use it, so "expires at 18:00" means their 18:00.
 */
export async function zoneOfUser(db: Db, userId: string | null | undefined): Promise<string> {
  if (!userId) return "UTC";
  const [row] = await db.select({ zone: userPreferences.timezone }).from(userPreferences).where(eq(userPreferences.userId, userId));
  return safeZone(row?.zone);
}

/** The same for a mail to an address: the zone of the account it belongs to, or UTC. */
export async function zoneOfAddress(db: Db, email: string): Promise<string> {
  const [row] = await db
    .select({ zone: userPreferences.timezone })
    .from(users)
    .innerJoin(userPreferences, eq(userPreferences.userId, users.id))
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return safeZone(row?.zone);
}
