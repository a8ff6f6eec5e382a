import "server-only";
import { sql } from "drizzle-orm";
import { check, index, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, id, ts } from "./columns";
import { projects } from "./projects";

/**
 * What a personal access token may do. `read`: read answers and streams
 * (GET /api/chat/<id>) and list devices; `chat`: everything `read` may, plus
 * start answers (POST /api/chat); `devices`: the device endpoints. A scope
 * only narrows: the token acts as its owner, with the owner's role.
 */
export const ACCESS_TOKEN_SCOPES = ["chat", "read", "devices"] as const;
export type AccessTokenScope = (typeof ACCESS_TOKEN_SCOPES)[number];

/**
 * Personal access tokens (`Authorization: Bearer arbor_pat_…`). Only the
 * SHA-256 of a token is stored; the token itself is shown once, at creation.
 * `prefix` is the non-secret start ("arbor_pat_Ab3xYz") a person recognises
 * in a list and a secret scanner finds in a leaked file.
 */
export const accessTokens = pgTable(
  "access_tokens",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    scopes: jsonb("scopes").$type<AccessTokenScope[]>().notNull(),
    /** null = every project the owner can reach; a deleted project takes its restricted tokens with it (never widens them) */
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "cascade" }),
    expiresAt: ts("expires_at"),
    lastUsedAt: ts("last_used_at"),
    lastUsedIp: text("last_used_ip"),
    createdAt: createdAt(),
    revokedAt: ts("revoked_at"),
  },
  (t) => [
    // every Bearer request looks its token up by hash
    uniqueIndex("access_tokens_hash_idx").on(t.tokenHash),
    // the account page: my tokens, newest first
    index("access_tokens_user_idx").on(t.userId, t.createdAt),
    check("access_tokens_scopes_check", sql`jsonb_typeof(${t.scopes}) = 'array' and jsonb_array_length(${t.scopes}) > 0`),
  ],
);
export type AccessToken = typeof accessTokens.$inferSelect;
