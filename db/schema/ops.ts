import "server-only";
import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { ts } from "./columns";

/**
 * Sliding-window rate limits kept in Postgres so every app instance shares them
 * (docs/architecture.md#processes-and-instances; server/security/rate-limit.ts).
 * `count` is the current window's, `previous_count` the window before's.
 * Key examples: "invite-token:<ip>", "sign-in:account:<email>".
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: ts("window_start").notNull(),
  count: integer("count").notNull(),
  previousCount: integer("previous_count").notNull().default(0),
});
