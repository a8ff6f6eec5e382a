import "server-only";
import { and, eq, gt, lt, or, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sessions, users } from "@/db/schema";
import { newToken } from "@/server/security/secret-tokens";

export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;
/** A session waiting for its second factor lasts this long, then the person starts again. */
export const SECOND_FACTOR_WINDOW_S = 10 * 60;
/** "Last seen" is written at most this often per session, so browsing is not one UPDATE per request. */
const LAST_SEEN_GRANULARITY_MS = 60_000;

export type SessionStage = "full" | "second_factor";
export type SessionOrigin = { userAgent?: string | null; address?: string | null };

/** A revocable server-side session; its id travels inside the Auth.js JWT. */
export async function createServerSession(
  db: Db,
  { userId, stage = "full", userAgent = null, address = null }: { userId: string; stage?: SessionStage } & SessionOrigin,
): Promise<string> {
  const sessionToken = newToken();
  const lifetime = stage === "full" ? SESSION_MAX_AGE_S : SECOND_FACTOR_WINDOW_S;
  await db.insert(sessions).values({
    sessionToken,
    userId,
    stage,
    userAgent: userAgent?.slice(0, 512) ?? null,
    address,
    lastSeenAt: new Date(),
    expires: new Date(Date.now() + lifetime * 1000),
  });
  return sessionToken;
}

/**
 * The person behind a full session id, if the session still exists and the
 * account may sign in. A session still waiting for its second factor opens
 * nothing here. Touches "last seen" (at most once a minute).
 */
export async function resolveServerSession(db: Db, { sessionToken }: { sessionToken: string }) {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      status: users.status,
      emailVerified: users.emailVerified,
      sessionId: sessions.id,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, sessionToken), eq(sessions.stage, "full"), gt(sessions.expires, new Date())));
  if (!row || row.status === "disabled") return null;
  if (!row.lastSeenAt || Date.now() - row.lastSeenAt.getTime() > LAST_SEEN_GRANULARITY_MS) {
    const cutoff = new Date(Date.now() - LAST_SEEN_GRANULARITY_MS);
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date() })
      .where(and(eq(sessions.sessionToken, sessionToken), or(isNull(sessions.lastSeenAt), lt(sessions.lastSeenAt, cutoff))));
  }
  return row;
}

/** The account behind a session that still waits for its second factor (and has not run out of time). */
export async function resolvePendingSession(db: Db, { sessionToken }: { sessionToken: string }) {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, status: users.status, passwordHash: users.passwordHash })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, sessionToken), eq(sessions.stage, "second_factor"), gt(sessions.expires, new Date())));
  if (!row || row.status === "disabled") return null;
  return row;
}

/** The second factor was right: the waiting session becomes a full one, with a full lifetime. Only once. */
export async function promoteSession(db: Db, { sessionToken }: { sessionToken: string }): Promise<boolean> {
  const done = await db
    .update(sessions)
    .set({ stage: "full", expires: new Date(Date.now() + SESSION_MAX_AGE_S * 1000), lastSeenAt: new Date() })
    .where(and(eq(sessions.sessionToken, sessionToken), eq(sessions.stage, "second_factor"), gt(sessions.expires, new Date())))
    .returning({ id: sessions.id });
  return done.length > 0;
}

export async function deleteServerSession(db: Db, { sessionToken }: { sessionToken: string }): Promise<void> {
  await db.delete(sessions).where(eq(sessions.sessionToken, sessionToken));
}

/** Every session of the account except `keep` (a password change, "end all others"). Returns how many ended. */
export async function deleteOtherSessions(db: Db, { userId, keep }: { userId: string; keep: string | null }): Promise<number> {
  const ended = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), keep ? sql`${sessions.sessionToken} <> ${keep}` : sql`true`))
    .returning({ id: sessions.id });
  return ended.length;
}
