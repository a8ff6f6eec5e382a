import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/db/client";
import { authUrl, getEnv } from "@/server/env";
import type { SessionUser } from "@/server/trpc/init";
import { resolvePendingSession, resolveServerSession } from "./server-sessions";
import { sessionIdFromCookies } from "./session-token";

export type CurrentUser = SessionUser & { emailVerified: boolean; sessionToken: string; sessionId: string };

async function sessionTokenOfRequest(): Promise<string | null> {
  const env = getEnv();
  return sessionIdFromCookies({ cookie: (await headers()).get("cookie"), authUrl: authUrl(env), secret: env.AUTH_SECRET });
}

/**
 * The signed-in person for this request, or null. The JWT alone is not
 * trusted: its session id must still exist in the database (sign-out,
 * password reset and revocation delete it) and be past its second factor.
 * The JWT is decoded directly (session-token.ts), not through `auth()`.
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const sid = await sessionTokenOfRequest();
  if (!sid) return null;
  const row = await resolveServerSession(await getDb(), { sessionToken: sid });
  if (!row) return null;
  return { id: row.id, email: row.email, name: row.name, emailVerified: row.emailVerified !== null, sessionToken: sid, sessionId: row.sessionId };
});

export async function getSessionUser(): Promise<SessionUser | null> {
  const user = await getCurrentUser();
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}

/** This request's session if it is waiting for a second factor: the account and the session's own id. */
export const getPendingSecondFactor = cache(async () => {
  const sid = await sessionTokenOfRequest();
  if (!sid) return null;
  const row = await resolvePendingSession(await getDb(), { sessionToken: sid });
  return row ? { user: row, sessionToken: sid } : null;
});
