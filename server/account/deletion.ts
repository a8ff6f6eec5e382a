import "server-only";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { type AccountDeletion, accountDeletions, billingAccounts, emailOutbox, projects, users } from "@/db/schema";
import { queueStripeCustomerDeletion } from "@/server/billing/customer-deletion";
import { logSecurityEvent } from "@/server/auth/security-log";
import { securityMails } from "@/server/auth/security-mails";
import { zoneOfUser } from "@/server/account/zone";
import { enqueueMail } from "@/server/mail/outbox";
import { AppError } from "@/server/errors";

/** Signing in within this long after asking cancels the deletion. */
export const DELETION_GRACE_MS = 14 * 24 * 60 * 60_000;
/** The account page and the header say "cancelled because you signed in" for this long. */
export const CANCELLED_NOTICE_MS = 24 * 60 * 60_000;

/** Projects the person owns that others are members of: each must be handed over or emptied first. */
export async function deletionBlockers(db: Db, { userId }: { userId: string }): Promise<Array<{ id: string; title: string; others: number }>> {
  const rows = await queryRows<{ id: string; title: string; others: number }>(
    db,
    sql`select p.id, p.title, count(m.user_id)::int as others from projects p
        join project_members m on m.project_id = p.id and m.user_id <> ${userId}
        where p.owner_id = ${userId} group by p.id, p.title order by p.title`,
  );
  return rows.map((r) => ({ ...r, others: Number(r.others) }));
}

export type DeletionState =
  | { state: "none"; blockers: Array<{ id: string; title: string; others: number }> }
  | { state: "scheduled"; purgeAfter: Date; requestedAt: Date }
  | { state: "cancelled"; cancelledAt: Date; blockers: Array<{ id: string; title: string; others: number }> };

export async function deletionState(db: Db, { userId }: { userId: string }): Promise<DeletionState> {
  const [row] = await db.select().from(accountDeletions).where(eq(accountDeletions.userId, userId));
  if (row && !row.cancelledAt) return { state: "scheduled", purgeAfter: row.purgeAfter, requestedAt: row.requestedAt };
  const blockers = await deletionBlockers(db, { userId });
  if (row?.cancelledAt && Date.now() - row.cancelledAt.getTime() < CANCELLED_NOTICE_MS) return { state: "cancelled", cancelledAt: row.cancelledAt, blockers };
  return { state: "none", blockers };
}

/**
 * Schedule the deletion: refused while the person owns a project others are
 * members of (their work would go with it); otherwise, after they typed their
 * own email to confirm, the account is removed when the grace period ends —
 * unless they sign in before then.
 */
export async function scheduleDeletion(db: Db, { userId, confirmEmail }: { userId: string; confirmEmail: string }): Promise<AccountDeletion> {
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (!user) throw new AppError("not_found:user", "That account no longer exists.");
  if (confirmEmail.trim().toLowerCase() !== user.email.toLowerCase()) {
    throw new AppError("bad_request:confirm", "To confirm, type your account's email address exactly.");
  }
  const blockers = await deletionBlockers(db, { userId });
  if (blockers.length > 0) {
    const names = blockers.map((b) => `“${b.title}”`).join(", ");
    throw new AppError(
      "conflict:deletion_blocked",
      `You own ${names}, which other people are members of. Hand ${blockers.length === 1 ? "it" : "each"} over to a member, or remove the members, before deleting your account — otherwise their work would be deleted with it.`,
    );
  }
  const now = new Date();
  const purgeAfter = new Date(now.getTime() + DELETION_GRACE_MS);
  const [row] = await db.transaction(async (tx) => {
    const r = await tx
      .insert(accountDeletions)
      .values({ userId, requestedAt: now, purgeAfter })
      .onConflictDoUpdate({ target: accountDeletions.userId, set: { requestedAt: now, purgeAfter, cancelledAt: null } })
      .returning();
    await logSecurityEvent(tx, { kind: "account_deletion_scheduled", userId, email: user.email, detail: { purgeAfter: purgeAfter.toISOString() } });
    // A security mail: always sent, whatever mails the person chose.
    await enqueueMail(tx, securityMails.accountDeletionScheduled(user.email, { purgeAfter, zone: await zoneOfUser(tx, userId) }));
    return r;
  });
  if (!row) throw new Error("deletion upsert returned nothing");
  return row;
}

/** Called when the person signs in: within the grace period that cancels the deletion (and the next page says so). */
export async function cancelDeletionOnSignIn(db: Db, { userId }: { userId: string }): Promise<boolean> {
  const cancelled = await db
    .update(accountDeletions)
    .set({ cancelledAt: new Date() })
    .where(and(eq(accountDeletions.userId, userId), isNull(accountDeletions.cancelledAt), gt(accountDeletions.purgeAfter, new Date())))
    .returning({ userId: accountDeletions.userId });
  if (cancelled.length === 0) return false;
  await logSecurityEvent(db, { kind: "account_deletion_cancelled", userId, detail: { reason: "signed_in" } });
  return true;
}

/**
 * The *account deletions* worker: for each deletion past its grace period
 * (claimed with skip locked), remove the person's projects (all theirs alone:
 * a project that gained members since is a blocker again, and the deletion
 * waits a day and is retried) and then the account, which takes every row
 * that is only theirs with it. Money records the law requires stay:
 * usage_events and billing incidents keep their amounts with payer and actor
 * set to null (their foreign keys say so), so nothing in them names the
 * person. Mail still queued to them is dropped; a last one says it is done.
 */
export async function purgeDueDeletions(db: Db, { now = new Date() }: { now?: Date } = {}): Promise<number> {
  let purged = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const [due] = await queryRows<{ user_id: string }>(
        tx,
        sql`select user_id from account_deletions where cancelled_at is null and purge_after <= ${now.toISOString()}::timestamptz
            order by purge_after limit 1 for update skip locked`,
      );
      if (!due) return null;
      const userId = due.user_id;
      if ((await deletionBlockers(tx, { userId })).length > 0) {
        await tx.update(accountDeletions).set({ purgeAfter: new Date(now.getTime() + 24 * 60 * 60_000) }).where(eq(accountDeletions.userId, userId));
        return "postponed" as const;
      }
      const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
      // The Stripe customer is deleted at Stripe after this commits, by its own worker (never inside a transaction).
      const [billing] = await tx.select({ customerId: billingAccounts.stripeCustomerId }).from(billingAccounts).where(eq(billingAccounts.userId, userId));
      if (billing?.customerId) await queueStripeCustomerDeletion(tx, { customerId: billing.customerId });
      await tx.delete(projects).where(eq(projects.ownerId, userId));
      if (user) await tx.delete(emailOutbox).where(and(eq(emailOutbox.to, user.email), eq(emailOutbox.status, "pending")));
      await tx.delete(users).where(eq(users.id, userId));
      // The last mail, queued after the account is gone (the outbox keeps no link to it), committed with the removal.
      if (user) await enqueueMail(tx, securityMails.accountDeleted(user.email));
      return "purged" as const;
    });
    if (done === null) return purged;
    if (done === "purged") purged += 1;
  }
}

/** For the header on every page: one primary-key read, true for a day after signing in cancelled a deletion. */
export async function deletionRecentlyCancelled(db: Db, { userId }: { userId: string }): Promise<boolean> {
  const [row] = await db.select({ cancelledAt: accountDeletions.cancelledAt }).from(accountDeletions).where(eq(accountDeletions.userId, userId));
  return Boolean(row?.cancelledAt && Date.now() - row.cancelledAt.getTime() < CANCELLED_NOTICE_MS);
}
