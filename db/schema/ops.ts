import "server-only";
import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { ts } from "./columns";

/**
 * Fixed-window rate limits kept in Postgres so every app instance shares them
 * (docs/architecture.md#processes-and-instances). Key examples: "invite-token:<ip>", "sign-in:<email>".
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: ts("window_start").notNull(),
  count: integer("count").notNull(),
});
