import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { securityEvents, type UserPreferences, userPreferences } from "@/db/schema";

export type PreferencesInput = Partial<Pick<UserPreferences, "theme" | "language" | "timezone" | "verbosity" | "tone">>;

/** The person's preferences (defaults until they save any); the cloud context carries language, verbosity and tone. */
export async function getPreferences(db: Db, { userId }: { userId: string }): Promise<UserPreferences> {
  const [row] = await db.select().from(userPreferences).where(eq(userPreferences.userId, userId));
  if (row) return row;
  return { userId, theme: "system", language: "en", timezone: "UTC", verbosity: "normal", tone: "neutral", updatedAt: new Date(0) };
}

export async function updatePreferences(db: Db, { userId, changes }: { userId: string; changes: PreferencesInput }): Promise<UserPreferences> {
  const [row] = await db
    .insert(userPreferences)
    .values({ userId, ...changes })
    .onConflictDoUpdate({ target: userPreferences.userId, set: { ...changes, updatedAt: new Date() } })
    .returning();
  if (!row) throw new Error("preferences upsert returned nothing");
  return row;
}

export async function recentSecurityEvents(db: Db, { userId, limit = 20 }: { userId: string; limit?: number }) {
  return db
    .select({ kind: securityEvents.kind, createdAt: securityEvents.createdAt, detail: securityEvents.detail })
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt))
    .limit(limit);
}
