import "server-only";
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Transporter } from "nodemailer";
import type { Db } from "@/db/client";
import { emailOutbox } from "@/db/schema";

export const MAX_ATTEMPTS = 8;

/** 30 s, 1 min, 2 min … capped at 1 h: a provider outage is ridden out, not hammered. */
export function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60 * 1000);
}

/**
 * Deliver what is due. Rows are claimed with a conditional UPDATE (pending → sending),
 * so two instances never send the same mail; a failed send goes back to pending with
 * a later next_attempt_at, and only after MAX_ATTEMPTS is it marked failed — never lost.
 */
export async function deliverDueMail(
  db: Db,
  { transport, from, limit = 20 }: { transport: Transporter; from: string; limit?: number },
): Promise<{ sent: number; failed: number }> {
  const due = await db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.status, "pending"), lte(emailOutbox.nextAttemptAt, new Date())))
    .orderBy(emailOutbox.nextAttemptAt)
    .limit(limit);
  let sent = 0;
  let failed = 0;
  if (!due.length) return { sent, failed };
  const claimed = await db
    .update(emailOutbox)
    .set({ status: "sending", attempts: sql`${emailOutbox.attempts} + 1` })
    .where(and(inArray(emailOutbox.id, due.map((d) => d.id)), eq(emailOutbox.status, "pending")))
    .returning();
  for (const mail of claimed) {
    try {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html ?? undefined, headers: mail.headers ?? undefined });
      await db.update(emailOutbox).set({ status: "sent", sentAt: new Date(), lastError: null }).where(eq(emailOutbox.id, mail.id));
      sent++;
    } catch (error) {
      failed++;
      const giveUp = mail.attempts >= MAX_ATTEMPTS;
      await db
        .update(emailOutbox)
        .set({
          status: giveUp ? "failed" : "pending",
          lastError: error instanceof Error ? error.message.slice(0, 500) : String(error),
          nextAttemptAt: new Date(Date.now() + backoffMs(mail.attempts)),
        })
        .where(eq(emailOutbox.id, mail.id));
    }
  }
  return { sent, failed };
}

/** A crash between claim and send leaves rows in "sending"; after 5 minutes they are due again. */
export async function requeueStuckMail(db: Db): Promise<void> {
  await db
    .update(emailOutbox)
    .set({ status: "pending" })
    .where(and(eq(emailOutbox.status, "sending"), lte(emailOutbox.nextAttemptAt, new Date(Date.now() - 5 * 60 * 1000))));
}

type Kick = () => void;
const holder = globalThis as typeof globalThis & { __arborMailKick?: Kick };

/** Ask the running sender to look now instead of at its next tick (no-op when none runs). */
export function kickMailSender(): void {
  holder.__arborMailKick?.();
}

export function setMailKick(kick: Kick): void {
  holder.__arborMailKick = kick;
}
