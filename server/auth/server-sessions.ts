import "server-only";
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sessions, users } from "@/db/schema";
import { newToken } from "@/server/security/secret-tokens";

export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

/** A revocable server-side session; its id travels inside the Auth.js JWT. */
export async function createServerSession(db: Db, { userId }: { userId: string }): Promise<string> {
  const sessionToken = newToken();
  await db.insert(sessions).values({ sessionToken, userId, expires: new Date(Date.now() + SESSION_MAX_AGE_S * 1000) });
  return sessionToken;
}

/** The person behind a session id, if the session still exists and the account may sign in. */
export async function resolveServerSession(db: Db, { sessionToken }: { sessionToken: string }) {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, status: users.status, emailVerified: users.emailVerified })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.sessionToken, sessionToken), gt(sessions.expires, new Date())));
  if (!row || row.status === "disabled") return null;
  return row;
}

export async function deleteServerSession(db: Db, { sessionToken }: { sessionToken: string }): Promise<void> {
  await db.delete(sessions).where(eq(sessions.sessionToken, sessionToken));
}
