import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/db/client";
import { authUrl, getEnv } from "@/server/env";
import type { SessionUser } from "@/server/trpc/init";
import { resolveServerSession } from "./server-sessions";
import { sessionIdFromCookies } from "./session-token";

export type CurrentUser = SessionUser & { emailVerified: boolean };

/**
 * The signed-in person for this request, or null. The JWT alone is not
 * trusted: its session id must still exist in the database (sign-out,
 * password reset and revocation delete it). The JWT is decoded directly
 * (session-token.ts), not through `auth()`.
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const env = getEnv();
  const sid = await sessionIdFromCookies({ cookie: (await headers()).get("cookie"), authUrl: authUrl(env), secret: env.AUTH_SECRET });
  if (!sid) return null;
  const row = await resolveServerSession(await getDb(), { sessionToken: sid });
  if (!row) return null;
  return { id: row.id, email: row.email, name: row.name, emailVerified: row.emailVerified !== null };
});

export async function getSessionUser(): Promise<SessionUser | null> {
  const user = await getCurrentUser();
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}
