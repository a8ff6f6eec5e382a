import "server-only";
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, ts, updatedAt } from "./columns";

/**
 * "locked" is no longer set: failed sign-ins are counted per address in
 * rate_limits (server/auth/sign-in-limits.ts), which an unknown address shares.
 * Rows from before read as active.
 */
export const USER_STATUSES = ["active", "locked", "disabled"] as const;

/**
 * People. Emails are stored lower-cased and unique on lower(email): the
 * effect of citext without needing the extension on every driver.
 * Column names the Auth.js Drizzle adapter reads: id, name, email, emailVerified, image.
 */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name"),
    email: text("email").notNull(),
    emailVerified: timestamp("email_verified_at", { withTimezone: true, mode: "date" }),
    image: text("image"),
    passwordHash: text("password_hash"),
    status: text("status", { enum: USER_STATUSES }).notNull().default("active"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // sign-in and invite/handover lookups by email, case-insensitively
    uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`),
  ],
);
export type User = typeof users.$inferSelect;

/** OAuth accounts (GitHub, Google) linked by the Auth.js adapter. */
export const accounts = pgTable(
  "accounts",
  {
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

/**
 * Server-side sessions. Credentials sign-in needs Auth.js's JWT strategy, so
 * the JWT carries `sessionToken` and every request checks the row still
 * exists — deleting the row signs the person out everywhere it was used.
 */
export const sessions = pgTable(
  "sessions",
  {
    sessionToken: text("session_token").primaryKey(),
    /** The id the account page names a session by: the token itself is a secret and never leaves the server. */
    id: uuid("id").notNull().defaultRandom(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    expires: timestamp("expires", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
    /**
     * "second_factor": the password or magic link was right but the account
     * asks for a code or passkey; such a session opens nothing but the
     * second-factor page (server/auth/second-factor.ts) and expires in minutes.
     */
    stage: text("stage", { enum: ["full", "second_factor"] }).notNull().default("full"),
    /** What the account page's session list shows: the raw user agent (parsed on display) and the address at sign-in. */
    userAgent: text("user_agent"),
    address: text("address"),
    /** Updated at most once a minute per session (server/auth/server-sessions.ts). */
    lastSeenAt: ts("last_seen_at"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), uniqueIndex("sessions_id_idx").on(t.id)],
);

/** Auth.js magic-link tokens (hashed by Auth.js before they are stored). */
export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamp("expires", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

export const AUTH_TOKEN_PURPOSES = ["verify_email", "reset_password", "change_email"] as const;
export type AuthTokenPurpose = (typeof AUTH_TOKEN_PURPOSES)[number];

/** Our own one-time tokens (email verification, password reset); only the SHA-256 is kept. */
export const authTokens = pgTable(
  "auth_tokens",
  {
    id: id(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: AUTH_TOKEN_PURPOSES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    /** change_email only: the address that becomes the account's when the link is opened. */
    newEmail: text("new_email"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("auth_tokens_hash_idx").on(t.tokenHash)],
);

export const SECURITY_EVENT_KINDS = [
  "sign_up",
  "sign_up_existing",
  "sign_in_success",
  "sign_in_failure",
  "lockout",
  "sign_out",
  "email_verified",
  "password_reset_requested",
  "password_changed",
  "unverified_password_cleared",
  "magic_link_requested",
  "key_added",
  "key_removed",
  "access_token_created",
  "access_token_revoked",
  "access_token_refused",
  "device_paired",
  "device_removed",
  "device_refused",
  "session_ended",
  "other_sessions_ended",
  "new_browser",
  "email_change_requested",
  "email_changed",
  "totp_enabled",
  "totp_disabled",
  "second_factor_success",
  "second_factor_failure",
  "recovery_code_used",
  "recovery_codes_regenerated",
  "passkey_added",
  "passkey_renamed",
  "passkey_removed",
  "account_deletion_scheduled",
  "account_deletion_cancelled",
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export const securityEvents = pgTable(
  "security_events",
  {
    id: id(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    email: text("email"),
    kind: text("kind", { enum: SECURITY_EVENT_KINDS }).notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    // the account's security history, newest first
    index("security_events_user_idx").on(t.userId, t.createdAt),
  ],
);

export const userPreferences = pgTable("user_preferences", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  theme: text("theme", { enum: ["system", "light", "dark"] }).notNull().default("system"),
  language: text("language").notNull().default("en"),
  timezone: text("timezone").notNull().default("UTC"),
  verbosity: text("verbosity", { enum: ["concise", "normal", "detailed"] }).notNull().default("normal"),
  tone: text("tone", { enum: ["neutral", "friendly", "formal"] }).notNull().default("neutral"),
  updatedAt: updatedAt(),
});
export type UserPreferences = typeof userPreferences.$inferSelect;
