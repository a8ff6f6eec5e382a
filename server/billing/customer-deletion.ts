import "server-only";
import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { type Db, queryRows } from "@/db/client";
import { stripeCustomerDeletions } from "@/db/schema";
import { getStripe } from "./stripe";

/** One call to Stripe waits at most this long (no retries inside it: the queue retries). */
export const STRIPE_DELETE_TIMEOUT_MS = 10_000;
/** A claimed row is not taken by another worker for this long (longer than one call). */
const LEASE_MS = 60_000;
/** After a failure: 1, 2, 4 … minutes, at most six hours. */
export const retryDelayMs = (attempts: number) => Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 60 * 60_000);

/** Queue the deletion of a removed account's Stripe customer; called in the transaction that removes the account. */
export async function queueStripeCustomerDeletion(tx: Db, { customerId }: { customerId: string }): Promise<void> {
  await tx.insert(stripeCustomerDeletions).values({ customerId }).onConflictDoNothing();
}

/** Stripe's answer for a customer that no longer exists: the job is done. */
function alreadyGone(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string };
  return e?.statusCode === 404 || e?.code === "resource_missing";
}

/**
 * The *Stripe customer deletions* worker: each due row is claimed (a lease,
 * committed at once), then `customers.del` is called outside any transaction
 * with a bounded timeout; success or "no such customer" removes the row, any
 * other failure schedules a retry with backoff. Without Stripe configured
 * there is nobody to ask, and the rows wait.
 */
export async function deleteQueuedStripeCustomers(
  db: Db,
  { stripe = getStripe(), now = new Date(), timeoutMs = STRIPE_DELETE_TIMEOUT_MS, limit = 50 }: { stripe?: Stripe | null; now?: Date; timeoutMs?: number; limit?: number } = {},
): Promise<{ deleted: number; failed: number }> {
  const done = { deleted: 0, failed: 0 };
  if (!stripe) return done;
  for (let i = 0; i < limit; i++) {
    const [claimed] = await queryRows<{ customer_id: string; attempts: number }>(
      db,
      sql`update stripe_customer_deletions set attempts = attempts + 1, next_attempt_at = ${new Date(now.getTime() + LEASE_MS).toISOString()}::timestamptz
          where customer_id = (select customer_id from stripe_customer_deletions where next_attempt_at <= ${now.toISOString()}::timestamptz
                               order by next_attempt_at limit 1 for update skip locked)
          returning customer_id, attempts`,
    );
    if (!claimed) break;
    const customerId = claimed.customer_id;
    try {
      await stripe.customers.del(customerId, {}, { timeout: timeoutMs, maxNetworkRetries: 0 });
      await db.delete(stripeCustomerDeletions).where(eq(stripeCustomerDeletions.customerId, customerId));
      done.deleted += 1;
    } catch (error) {
      if (alreadyGone(error)) {
        await db.delete(stripeCustomerDeletions).where(eq(stripeCustomerDeletions.customerId, customerId));
        done.deleted += 1;
        continue;
      }
      const message = error instanceof Error ? error.message : String(error);
      await db
        .update(stripeCustomerDeletions)
        .set({ lastError: message.slice(0, 500), nextAttemptAt: new Date(now.getTime() + retryDelayMs(Number(claimed.attempts))) })
        .where(eq(stripeCustomerDeletions.customerId, customerId));
      done.failed += 1;
    }
  }
  return done;
}
