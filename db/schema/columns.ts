import "server-only";
import { bigint, timestamp, uuid } from "drizzle-orm/pg-core";

/** Primary keys are server-made UUIDs so ids never leak row counts or order. */
export const id = () => uuid("id").primaryKey().defaultRandom();

/** Money is integer micro-USD (1 USD = 1,000,000; docs/architecture.md#money-on-screen). Never a float. */
export const micros = (name: string) => bigint(name, { mode: "bigint" });

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
