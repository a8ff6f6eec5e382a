import "server-only";
import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { emailOutbox } from "@/db/schema";
import { getEnv } from "@/server/env";

/** The dev mailbox exists only outside production and only when no SMTP server is configured. */
export function devMailboxEnabled(): boolean {
  const env = getEnv();
  if (env.SMTP_URL) return false;
  return env.NODE_ENV !== "production" || env.ARBOR_DEV_MAILBOX === "1";
}

export async function listMailbox(db: Db, { limit = 100 }: { limit?: number } = {}) {
  const rows = await db.select().from(emailOutbox).orderBy(desc(emailOutbox.createdAt)).limit(limit);
  return rows.map((m) => ({ ...m, links: m.text.match(/https?:\/\/[^\s<>"]+/g) ?? [] }));
}
