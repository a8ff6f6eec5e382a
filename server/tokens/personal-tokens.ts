import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type AccessTokenScope, accessTokens, projects, securityEvents, users } from "@/db/schema";
import { AppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";
import { newBearerToken } from "./bearer-tokens";

/** A person with more live tokens than this is better served by revoking some. */
export const MAX_ACTIVE_TOKENS = 50;
export const MAX_EXPIRY_DAYS = 366;

export type TokenListItem = {
  id: string;
  name: string;
  prefix: string;
  scopes: AccessTokenScope[];
  project: { id: string; title: string } | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  state: "active" | "expired" | "revoked";
};

/**
 * A new personal access token. The token is returned here once and never
 * again: only its hash is stored. A project restriction must name a project
 * the person belongs to; the role is not copied — every request checks the
 * owner's role at that moment, so a token never outranks its owner.
 */
export async function createAccessToken(
  db: Db,
  {
    userId,
    name,
    scopes,
    projectId = null,
    expiresInDays = null,
  }: { userId: string; name: string; scopes: AccessTokenScope[]; projectId?: string | null; expiresInDays?: number | null },
) {
  const unique = [...new Set(scopes)].sort() as AccessTokenScope[];
  if (unique.length === 0) throw new AppError("bad_request:scopes", "Choose at least one scope.");
  if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_EXPIRY_DAYS)) {
    throw new AppError("bad_request:expiry", `A token expires after 1 to ${MAX_EXPIRY_DAYS} days, or never.`);
  }
  // A token outlives sessions; an unverified address may belong to someone else (SECURITY.md, pre-hijack).
  const [owner] = await db.select({ emailVerified: users.emailVerified }).from(users).where(eq(users.id, userId));
  if (!owner?.emailVerified) {
    throw new AppError("forbidden:email_unverified", "Verify your email address first (check your inbox), then create a token.");
  }
  if (projectId) await requireProjectRole(db, { projectId, userId, minimum: "viewer" });
  const { token, hash, prefix } = newBearerToken("personal");
  const row = await db.transaction(async (tx) => {
    const active = await tx.$count(accessTokens, and(eq(accessTokens.userId, userId), isNull(accessTokens.revokedAt), sql`(${accessTokens.expiresAt} is null or ${accessTokens.expiresAt} > now())`));
    if (active >= MAX_ACTIVE_TOKENS) throw new AppError("conflict:tokens", `You have ${active} active tokens. Revoke one you no longer use first.`);
    const [created] = await tx
      .insert(accessTokens)
      .values({
        userId,
        name: name.trim(),
        prefix,
        tokenHash: hash,
        scopes: unique,
        projectId,
        expiresAt: expiresInDays === null ? null : sql`now() + make_interval(days => ${expiresInDays})`,
      })
      .returning();
    if (!created) throw new Error("token insert returned nothing");
    await tx.insert(securityEvents).values({ userId, kind: "access_token_created", detail: { tokenId: created.id, name: created.name, prefix, scopes: unique, projectId } });
    return created;
  });
  return { token, id: row.id, prefix: row.prefix, name: row.name, scopes: row.scopes, projectId: row.projectId, expiresAt: row.expiresAt };
}

/** The person's tokens, newest first, with when and from where each was last used. */
export async function listAccessTokens(db: Db, { userId }: { userId: string }): Promise<TokenListItem[]> {
  const rows = await db
    .select({ token: accessTokens, projectTitle: projects.title, now: sql<Date>`now()`.mapWith((v) => new Date(v)) })
    .from(accessTokens)
    .leftJoin(projects, eq(projects.id, accessTokens.projectId))
    .where(eq(accessTokens.userId, userId))
    .orderBy(desc(accessTokens.createdAt))
    .limit(200);
  return rows.map(({ token: t, projectTitle, now }) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    project: t.projectId ? { id: t.projectId, title: projectTitle ?? "(deleted project)" } : null,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    lastUsedIp: t.lastUsedIp,
    revokedAt: t.revokedAt,
    state: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active",
  }));
}

/**
 * Revoking is immediate on every instance: each request reads the row.
 * Revoking twice changes nothing the second time; another person's token is simply not found.
 */
export async function revokeAccessToken(db: Db, { userId, tokenId }: { userId: string; tokenId: string }) {
  return db.transaction(async (tx) => {
    const mine = and(eq(accessTokens.id, tokenId), eq(accessTokens.userId, userId));
    const columns = { id: accessTokens.id, name: accessTokens.name, prefix: accessTokens.prefix, revokedAt: accessTokens.revokedAt };
    const [row] = await tx.update(accessTokens).set({ revokedAt: sql`now()` }).where(and(mine, isNull(accessTokens.revokedAt))).returning(columns);
    if (!row) {
      const [earlier] = await tx.select(columns).from(accessTokens).where(mine);
      if (!earlier) throw new AppError("not_found:token", "There is no such token on your account.");
      return earlier;
    }
    await tx.insert(securityEvents).values({ userId, kind: "access_token_revoked", detail: { tokenId: row.id, name: row.name, prefix: row.prefix } });
    return row;
  });
}
