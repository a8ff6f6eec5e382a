import "server-only";
import { desc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { emailOutbox } from "@/db/schema";
import { getEnv } from "@/server/env";
import { clientAddress, isLoopback } from "@/server/security/client-address";

/**
 * The dev mailbox exists only when no SMTP server is configured, and only
 * outside production — unless ARBOR_DEV_MAILBOX=1, the explicit opt-in the
 * end-to-end tests of the production build use.
 */
export function devMailboxEnabled(): boolean {
  const env = getEnv();
  if (env.SMTP_URL) return false;
  return env.NODE_ENV !== "production" || env.ARBOR_DEV_MAILBOX === "1";
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * It shows everyone's sign-in links, so it answers only the machine it runs
 * on: `next dev` listens on every interface, so a request from the LAN gets a
 * 404. The Host must be loopback too, so a page elsewhere that re-points its
 * own name at 127.0.0.1 (DNS rebinding) cannot read it through a
 * developer's browser.
 */
export function devMailboxAnswers(headers: Headers): boolean {
  if (!devMailboxEnabled()) return false;
  const host = (headers.get("host") ?? "").toLowerCase().replace(/:\d+$/, "");
  return LOOPBACK_HOSTS.has(host) && isLoopback(clientAddress(headers));
}

export async function listMailbox(db: Db, { limit = 100 }: { limit?: number } = {}) {
  const rows = await db.select().from(emailOutbox).orderBy(desc(emailOutbox.createdAt)).limit(limit);
  return rows.map((m) => ({ ...m, links: m.text.match(/https?:\/\/[^\s<>"]+/g) ?? [] }));
}
