import "server-only";
import { index, integer, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns";

export const OUTBOX_STATUSES = ["pending", "sending", "sent", "failed"] as const;

/**
 * Mail is written here in the same transaction as the change that causes it
 * and delivered afterwards by the sender (server/mail/sender.ts), so a crash or
 * an SMTP outage never loses a mail and never sends one for a rolled-back change.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: id(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html"),
    /** extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on optional mails */
    headers: jsonb("headers").$type<Record<string, string>>(),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
    sentAt: ts("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // the sender's "what is due" scan
    index("email_outbox_due_idx").on(t.status, t.nextAttemptAt),
  ],
);
export type OutboxMail = typeof emailOutbox.$inferSelect;
