import "server-only";
import { cache } from "react";
import { getDb } from "@/db/client";
import type { SessionUser } from "@/server/trpc/init";
import { auth } from "./config";
import { resolveServerSession } from "./server-sessions";

export type CurrentUser = SessionUser & { emailVerified: boolean };

/**
 * The signed-in person for this request, or null. The JWT alone is not
 * trusted: its session id must still exist in the database (sign-out,
 * password reset and revocation delete it).
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = (await auth()) as { sid?: unknown } | null;
  if (!session || typeof session.sid !== "string") return null;
  const row = await resolveServerSession(await getDb(), { sessionToken: session.sid });
  if (!row) return null;
  return { id: row.id, email: row.email, name: row.name, emailVerified: row.emailVerified !== null };
});

export async function getSessionUser(): Promise<SessionUser | null> {
  const user = await getCurrentUser();
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}
