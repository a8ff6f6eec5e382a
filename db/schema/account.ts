import "server-only";
import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { id, ts } from "./columns";

export const CONSENT_DOCUMENTS = ["terms", "privacy"] as const;
export const CONSENT_METHODS = ["sign_up", "oauth_sign_up"] as const;

/**
 * Seed 001's user_consents: which version of the Terms and the Privacy notice
 * a person accepted, when, and how (the sign-up form's clickwrap, or the first
 * sign-in with GitHub or Google from the sign-up page). Written in the
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
