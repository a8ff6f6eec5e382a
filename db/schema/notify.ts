import "server-only";
import { pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { updatedAt } from "./columns";

/**
 * What a person hears about; each can go to the bell ("app"), to mail (a digest, and the bell), or nowhere.
 * "invite" and "handover" are mails to an address (an invite, a handover offer or its acceptance): for them
 * "mail" sends it and anything else does not (server/notify/mail-choices.ts).
 */
export const NOTIFY_CATEGORIES = ["comment", "mention", "billing", "invite", "handover"] as const;
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
