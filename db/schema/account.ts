import "server-only";
import { customType, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, id, ts } from "./columns";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

export const CONSENT_DOCUMENTS = ["terms", "privacy"] as const;
export const CONSENT_METHODS = ["sign_up", "oauth_sign_up", "magic_link_sign_up"] as const;

/**
 * Seed 001's user_consents: which version of the Terms and the Privacy notice
 * a person accepted, when, and how (the sign-up form's clickwrap, or the first
 * sign-in with GitHub or Google, or a magic link creating the account). Written in the
 * transaction that creates the account; never updated — a new version
 * accepted is a new row.
 */
export const userConsents = pgTable(
  "user_consents",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    document: text("document", { enum: CONSENT_DOCUMENTS }).notNull(),
    version: text("version").notNull(),
    method: text("method", { enum: CONSENT_METHODS }).notNull(),
    acceptedAt: ts("accepted_at").notNull().defaultNow(),
  },
  (t) => [index("user_consents_user_idx").on(t.userId, t.document)],
);
export type UserConsent = typeof userConsents.$inferSelect;

export const EXPORT_STATUSES = ["queued", "building", "ready", "failed"] as const;

/**
 * A person's data export (server/account/export.ts): queued by them, built by
 * the *account exports* worker into one zip kept here, downloadable by them
 * alone through a short-lived link whose token is stored only as its SHA-256,
 * and dropped (bytes and row) when it expires.
 */
export const accountExports = pgTable(
  "account_exports",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: EXPORT_STATUSES }).notNull().default("queued"),
    /** 0–100, and what the worker is on, for the progress bar */
    progress: integer("progress").notNull().default(0),
    step: text("step"),
    error: text("error"),
    zip: bytea("zip"),
    sizeBytes: integer("size_bytes"),
    /** a worker that died mid-build loses its claim after this */
    leaseUntil: ts("lease_until"),
    downloadTokenHash: text("download_token_hash"),
    downloadTokenExpiresAt: ts("download_token_expires_at"),
    /** the zip is deleted after this */
    expiresAt: ts("expires_at"),
    createdAt: createdAt(),
    finishedAt: ts("finished_at"),
  },
  (t) => [index("account_exports_user_idx").on(t.userId, t.createdAt), index("account_exports_status_idx").on(t.status)],
);
export type AccountExport = typeof accountExports.$inferSelect;

/**
 * A scheduled account deletion (server/account/deletion.ts): requested by the
 * person, cancelled by their signing in within the grace period (the row then
 * keeps `cancelledAt` so the next page says so), carried out by the *account
 * deletions* worker after `purgeAfter`.
 */
export const accountDeletions = pgTable("account_deletions", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  requestedAt: ts("requested_at").notNull().defaultNow(),
  purgeAfter: ts("purge_after").notNull(),
  cancelledAt: ts("cancelled_at"),
});
export type AccountDeletion = typeof accountDeletions.$inferSelect;
