import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { appLink } from "@/server/collab/links";
import { MAIL_KINDS, type MailKind, enqueueOptionalMail, mailKindOf } from "./mail-choices";

/** A burst of events becomes one mail: a person's owed mails wait until the newest is this old. */
export const DIGEST_QUIET_MS = 30_000;

/**
 * The digest worker: for each person with mails owed and quiet for
 * `quietMs`, one mail per kind of mail (activity, budget alerts, …) through
 * the outbox listing them all, in the same transaction that marks them sent —
 * claimed row by row (skip locked), so two instances never send the same
 * digest. One mail per kind, so each carries the unsubscribe link of what it
 * holds.
 */
export async function sendDigests(db: Db, { quietMs = DIGEST_QUIET_MS }: { quietMs?: number } = {}): Promise<number> {
  const due = await queryRows<{ user_id: string }>(
    db,
    sql`select user_id from notifications where mail_pending group by user_id
        having max(created_at) <= now() - make_interval(secs => ${quietMs / 1000}) limit 50`,
  );
  let sent = 0;
  for (const { user_id: userId } of due) {
    await db.transaction(async (tx) => {
      const items = await queryRows<{ id: string; title: string; body: string; href: string | null; email: string; category: string | null }>(
        tx,
        sql`select n.id, n.title, n.body, n.href, n.category, u.email from notifications n join users u on u.id = n.user_id
            where n.user_id = ${userId} and n.mail_pending order by n.created_at for update of n skip locked`,
      );
      const to = items[0]?.email;
      if (!to) return;
      const byKind = new Map<MailKind, typeof items>();
      for (const item of items) {
        const kind = mailKindOf(item.category);
        byKind.set(kind, [...(byKind.get(kind) ?? []), item]);
      }
      for (const [kind, group] of byKind) {
        const lines = group.map((i) => `• ${i.title}\n  ${i.body}${i.href ? `\n  ${appLink(i.href)}` : ""}`);
        const what = kind === "activity" ? "things need you" : MAIL_KINDS[kind].label;
        // Only categories set to mail are pending, so a person who turned this kind off has none.
        await enqueueOptionalMail(tx, {
          kind,
          userId,
          to,
          subject: group.length === 1 ? `Arbor: ${group[0]?.title}` : `Arbor: ${group.length} ${what}`,
          text: `${lines.join("\n\n")}\n\nChoose what reaches you by mail: ${appLink("/account#notifications")}\n`,
        });
      }
      await tx.execute(sql`update notifications set mail_pending = false where id in (select jsonb_array_elements_text(${JSON.stringify(items.map((i) => i.id))}::jsonb)::uuid)`);
      sent += 1;
    });
  }
  return sent;
}
