import "server-only";
import type { Db } from "@/db/client";
import { emailOutbox } from "@/db/schema";
import { getEnv } from "@/server/env";

export type MailInput = { to: string; subject: string; text: string; html?: string; headers?: Record<string, string> };

/**
 * Queue a mail. Call it with the transaction that makes the change the mail
 * is about: if that change rolls back, the mail is never sent; if it commits,
 * the sender delivers it (with retries) even after a crash.
 */
export async function enqueueMail(db: Db, mail: MailInput): Promise<string> {
  const [row] = await db.insert(emailOutbox).values(mail).returning({ id: emailOutbox.id });
  if (!row) throw new Error("outbox insert returned nothing");
  // In development without SMTP, links are also printed to the server log, so a
  // developer can follow them without opening /dev/mailbox. Never in production:
  // a sign-in link in a log is a session for whoever reads the log.
  const env = getEnv();
  if (!env.SMTP_URL && env.NODE_ENV === "development") {
    const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
    console.info(`[arbor] mail to ${mail.to}: ${mail.subject}${links.length ? ` — ${links.join(" ")}` : ""}`);
  }
  return row.id;
}
