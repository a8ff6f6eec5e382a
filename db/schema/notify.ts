import "server-only";
import { pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { updatedAt } from "./columns";

/**
 * What a person hears about; each can go to the bell ("app"), to mail (a digest, and the bell), or nowhere.
 * "invite" is a mail to an address with no bell: for it "mail" sends it and anything else does not. "handover"
 * reaches the bell too, but its mail is the offer or answer itself, sent at once rather than in a digest
 * (server/notify/mail-choices.ts).
 */
export const NOTIFY_CATEGORIES = ["comment", "mention", "member", "answer", "billing", "invite", "handover"] as const;
export type NotifyCategory = (typeof NOTIFY_CATEGORIES)[number];
export const NOTIFY_CHANNELS = ["app", "mail", "none"] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/** Seed 001's user_notification_preferences; a missing row means the category's default (server/notify/preferences.ts). */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    category: text("category", { enum: NOTIFY_CATEGORIES }).notNull(),
    channel: text("channel", { enum: NOTIFY_CHANNELS }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.category] })],
);
