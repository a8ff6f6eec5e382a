import "server-only";
import { and, asc, count, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { billingAccounts, usageEvents } from "@/db/schema";
import { getStripe } from "./stripe";

/** The Stripe Billing Meter's event name; its value is the net charge in micro-USD. */
export const METER_EVENT_NAME = "arbor_usage_micros";
/** Failures before an event is dead-lettered: 30 s, 1, 2, 4 … minutes apart, about two hours in all. */
export const MAX_METER_ATTEMPTS = 8;
const FIRST_RETRY_MS = 30_000;
/** A dead letter is still tried, this far apart, until Stripe takes it. */
export const DEAD_LETTER_RETRY_MS = 6 * 60 * 60 * 1000;

/** The wait after the n-th failure: doubling from 30 s, never longer than a dead letter's. */
export function meterRetryDelayMs(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), DEAD_LETTER_RETRY_MS);
}

const reportable = and(
  isNull(usageEvents.meterReportedAt),
  eq(usageEvents.tier, "cloud"),
  inArray(usageEvents.billingTier, ["managed", "byok"]),
  gt(usageEvents.netChargeMicros, 0n),
);

/**
 * Worker: reports managed/byok net charges as meter events. The identifier is
 * the usage event id, so Stripe itself rejects a second copy; the row is then
 * marked reported (`meter_reported_at`) and never picked again. A failure
 * waits with exponential backoff (`meter_next_attempt_at`); after
 * MAX_METER_ATTEMPTS it is dead-lettered (`meter_dead_lettered_at`, logged
 * once) and still tried every six hours — an event is never dropped, because
 * each one is money on someone's invoice.
 */
export async function reportUsageToStripe(db: Db, stripe: Stripe | null = getStripe(), { now = new Date() }: { now?: Date } = {}): Promise<{ reported: number; failed: number }> {
  if (!stripe) return { reported: 0, failed: 0 };
  const due = await db
    .select({ event: usageEvents, customer: billingAccounts.stripeCustomerId })
    .from(usageEvents)
    .leftJoin(billingAccounts, eq(billingAccounts.userId, usageEvents.payerId))
    .where(and(reportable, or(isNull(usageEvents.meterNextAttemptAt), lte(usageEvents.meterNextAttemptAt, now))))
    .orderBy(asc(usageEvents.createdAt))
    .limit(100);
  let reported = 0;
  let failed = 0;
  for (const { event, customer } of due) {
    try {
      if (!customer) throw new Error("the payer has no Stripe customer yet");
      await stripe.billing.meterEvents.create({
        event_name: METER_EVENT_NAME,
        identifier: event.id,
        timestamp: Math.floor(event.createdAt.getTime() / 1000),
        payload: { stripe_customer_id: customer, value: event.netChargeMicros.toString() },
      });
      await markReported(db, event.id);
      reported++;
    } catch (error) {
      if (isDuplicateIdentifier(error)) {
        await markReported(db, event.id);
        reported++;
        continue;
      }
      failed++;
      await markFailed(db, event, error, now);
    }
  }
  return { reported, failed };
}

async function markReported(db: Db, id: string) {
  await db
    .update(usageEvents)
    .set({ meterReportedAt: new Date(), meterAttempts: sql`${usageEvents.meterAttempts} + 1`, meterError: null, meterNextAttemptAt: null })
    .where(and(eq(usageEvents.id, id), isNull(usageEvents.meterReportedAt)));
}

async function markFailed(db: Db, event: typeof usageEvents.$inferSelect, error: unknown, now: Date) {
  const failures = event.meterAttempts + 1;
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const deadNow = failures >= MAX_METER_ATTEMPTS && !event.meterDeadLetteredAt;
  await db
    .update(usageEvents)
    .set({
      meterAttempts: failures,
      meterError: message,
      meterNextAttemptAt: new Date(now.getTime() + meterRetryDelayMs(failures)),
      ...(deadNow ? { meterDeadLetteredAt: now } : {}),
    })
    .where(and(eq(usageEvents.id, event.id), isNull(usageEvents.meterReportedAt)));
  if (deadNow) {
    console.error(`[arbor] METER DEAD LETTER usage event ${event.id} (${event.netChargeMicros} micro-USD for payer ${event.payerId}) after ${failures} tries: ${message}. It is retried every 6 hours; see docs/billing.md.`);
  }
}

/** Usage not yet on Stripe: how many wait for a retry, and how many are dead letters (what the operator checks). */
export async function meterBacklog(db: Db): Promise<{ waiting: number; deadLettered: number }> {
  const [row] = await db
    .select({
      waiting: count(),
      deadLettered: sql<number>`count(*) filter (where ${isNotNull(usageEvents.meterDeadLetteredAt)})`.mapWith(Number),
    })
    .from(usageEvents)
    .where(and(reportable, gt(usageEvents.meterAttempts, 0)));
  return { waiting: row?.waiting ?? 0, deadLettered: row?.deadLettered ?? 0 };
}

/** Stripe answers a reused identifier with a 400 that says so: it was accepted before (e.g. our mark was lost in a crash). */
function isDuplicateIdentifier(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const e = error as { statusCode?: number; message?: string };
  return e.statusCode === 400 && /identifier/i.test(e.message ?? "") && /already|exists|duplicate/i.test(e.message ?? "");
}
