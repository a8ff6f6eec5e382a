import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { AccessTokenScope } from "@/db/schema";
import { AppError } from "@/server/errors";
import { clientAddress } from "@/server/security/client-address";
import { type TokenIdentity, authenticateAccessToken } from "./authenticate";
import { bearerFrom } from "./bearer-tokens";

export type SessionIdentity = { via: "session"; userId: string; email: string; name: string | null };
export type RequestIdentity = SessionIdentity | TokenIdentity;


/**
 * Who is calling a Route Handler: `Authorization: Bearer <token>` when the
 * header is present (then only the token counts, never a cookie alongside
 * it), otherwise the signed-in session. Either way the result is a person;
 * what they may do is decided by their role, exactly as for the browser.
 * `session` is the cookie lookup (Auth.js), passed in so this module stays
 * free of the auth runtime.
 */
export async function identifyRequest(
  db: Db,
  { headers, scope, session }: { headers: Headers; scope: AccessTokenScope; session: () => Promise<{ id: string; email: string; name: string | null } | null> },
): Promise<RequestIdentity> {
  const bearer = bearerFrom(headers);
  if (bearer !== null) {
    if (!bearer) throw new AppError("unauthorized:token", "The Authorization header must read `Bearer <token>`.");
    return authenticateAccessToken(db, { token: bearer, ip: clientAddress(headers), scope });
  }
  const user = await session();
  if (!user) throw new AppError("unauthorized:session", "Please sign in first, or send an access token as `Authorization: Bearer <token>`.");
  return { via: "session", userId: user.id, email: user.email, name: user.name };
}

/** A token limited to one project may not reach another; sessions and unrestricted tokens pass. */
export function assertTokenProject(identity: RequestIdentity, projectId: string): void {
  if (identity.via === "token" && identity.projectId && identity.projectId !== projectId) {
    throw new AppError("forbidden:token_project", "This access token is limited to another project.");
  }
}

/** The project of a chat, for a project-restricted token; an unknown chat is left to the normal path's 404. */
export async function assertTokenMayUseChat(db: Db, identity: RequestIdentity, chatId: string): Promise<void> {
  if (identity.via !== "token" || !identity.projectId) return;
  const [row] = await queryRows<{ project_id: string }>(db, sql`select project_id from chats where id = ${chatId}`);
  if (row) assertTokenProject(identity, row.project_id);
}
