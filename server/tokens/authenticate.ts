import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { AccessTokenScope } from "@/db/schema";
import { AppError } from "@/server/errors";
import { hitRateLimit, isRateLimited, type RateLimitRule, TOKEN_GUESS_RULE } from "@/server/security/rate-limit";
import { hashToken } from "@/server/security/secret-tokens";
import { bearerKind } from "./bearer-tokens";

/** Requests per token: generous for a script, a wall for a leaked token in a loop. */
export const TOKEN_REQUEST_RULE: RateLimitRule = { limit: 120, windowMs: 60_000 };
/** A refused (revoked, expired) token is written to its owner's security log at most this often. */
const REFUSAL_LOG_RULE: RateLimitRule = { limit: 1, windowMs: 60 * 60_000 };

export type TokenIdentity = {
  via: "token";
  userId: string;
  email: string;
  name: string | null;
  tokenId: string;
  scopes: AccessTokenScope[];
  /** the one project the token may reach, or null for all of the owner's */
  projectId: string | null;
};

type Row = {
  id: string;
  user_id: string;
  scopes: AccessTokenScope[];
  project_id: string | null;
  revoked: boolean;
  expired: boolean;
  email: string;
  name: string | null;
  user_status: string;
};

/** `chat` includes reading; everything else is exactly itself. */
export function scopeAllows(scopes: readonly AccessTokenScope[], wanted: AccessTokenScope): boolean {
  return scopes.includes(wanted) || (wanted === "read" && scopes.includes("chat"));
}

const invalid = () => new AppError("unauthorized:token", "This access token is not valid. Check that it was copied whole, or create a new one under Account → Access tokens.");

/**
 * A personal access token → the person it acts for. One statement finds the
 * token and its owner and stamps last use (at most once a minute per
 * address, so a busy script does not rewrite the row per request); then the
 * per-token rate limit. Unknown tokens count against the caller's address,
 * like any guessable secret; a revoked or expired token is logged for its
 * owner, because its use means it leaked or a script was forgotten.
 */
export async function authenticateAccessToken(db: Db, { token, ip, scope }: { token: string; ip: string; scope: AccessTokenScope }): Promise<TokenIdentity> {
  const guessKey = `token-guess:${ip}`;
  if (bearerKind(token) !== "personal") {
    await hitRateLimit(db, { key: guessKey, rule: TOKEN_GUESS_RULE });
    throw invalid();
  }
  if (await isRateLimited(db, { key: guessKey, rule: TOKEN_GUESS_RULE })) {
    throw new AppError("rate_limited:token", "Too many invalid tokens from your network. Wait ten minutes and try again.");
  }
  const [row] = await queryRows<Row>(
    db,
    sql`with t as (
          select a.id, a.user_id, a.scopes, a.project_id, a.revoked_at is not null as revoked,
                 (a.expires_at is not null and a.expires_at <= now()) as expired,
                 u.email, u.name, u.status as user_status
          from access_tokens a join users u on u.id = a.user_id
          where a.token_hash = ${hashToken(token)}
        ), touched as (
          update access_tokens set last_used_at = now(), last_used_ip = ${ip}
          where id = (select id from t where not revoked and not expired)
            and (last_used_at is null or last_used_at < now() - interval '1 minute' or last_used_ip is distinct from ${ip})
          returning id
        )
        -- a data-modifying CTE runs whether or not it is read
        select * from t`,
  );
  if (!row) {
    await hitRateLimit(db, { key: guessKey, rule: TOKEN_GUESS_RULE });
    throw invalid();
  }
  if (row.revoked || row.expired) {
    const { limited } = await hitRateLimit(db, { key: `token-refused-log:${row.id}`, rule: REFUSAL_LOG_RULE });
    if (!limited) {
      await db.execute(
        sql`insert into security_events (user_id, kind, detail)
            values (${row.user_id}, 'access_token_refused', ${JSON.stringify({ tokenId: row.id, reason: row.revoked ? "revoked" : "expired", ip })}::jsonb)`,
      );
    }
    throw row.revoked
      ? new AppError("unauthorized:token_revoked", "This access token was revoked. Create a new one under Account → Access tokens.")
      : new AppError("unauthorized:token_expired", "This access token has expired. Create a new one under Account → Access tokens.");
  }
  if (row.user_status !== "active") throw new AppError("unauthorized:account", "The account this token belongs to is not active.");
  if (!scopeAllows(row.scopes, scope)) {
    throw new AppError("forbidden:scope", `This token lacks the "${scope}" scope (it has: ${row.scopes.join(", ")}). Create a token with that scope.`);
  }
  const { limited } = await hitRateLimit(db, { key: `token:${row.id}`, rule: TOKEN_REQUEST_RULE });
  if (limited) throw new AppError("rate_limited:token", `This token made more than ${TOKEN_REQUEST_RULE.limit} requests in a minute. Slow down and try again shortly.`);
  return { via: "token", userId: row.user_id, email: row.email, name: row.name, tokenId: row.id, scopes: row.scopes, projectId: row.project_id };
}
