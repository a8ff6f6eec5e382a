import "server-only";
import { and, asc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { billingAccounts, usageEvents } from "@/db/schema";
import { getStripe } from "./stripe";

/** The Stripe Billing Meter's event name; its value is the net charge in micro-USD. */
export const METER_EVENT_NAME = "arbor_usage_micros";
export const MAX_METER_ATTEMPTS = 20;

/**
 * Worker: reports managed/byok net charges as meter events. The identifier is
 * the usage event id, so Stripe itself rejects a second copy; the row is then
 * marked reported (`meter_reported_at`) and never picked again. Failures are
 * counted and retried on the next tick.
 */
export async function reportUsageToStripe(db: Db, stripe: Stripe | null = getStripe()): Promise<{ reported: number; failed: number }> {
  if (!stripe) return { reported: 0, failed: 0 };
  const due = await db
    .select({ event: usageEvents, customer: billingAccounts.stripeCustomerId })
    .from(usageEvents)
    .leftJoin(billingAccounts, eq(billingAccounts.userId, usageEvents.payerId))
    .where(
      and(
        isNull(usageEvents.meterReportedAt),
        eq(usageEvents.tier, "cloud"),
        inArray(usageEvents.billingTier, ["managed", "byok"]),
        gt(usageEvents.netChargeMicros, 0n),
        lt(usageEvents.meterAttempts, MAX_METER_ATTEMPTS),
      ),
    )
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
      await db
        .update(usageEvents)
        .set({ meterAttempts: sql`${usageEvents.meterAttempts} + 1`, meterError: (error instanceof Error ? error.message : String(error)).slice(0, 500) })
        .where(eq(usageEvents.id, event.id));
    }
  }
  return { reported, failed };
}

async function markReported(db: Db, id: string) {
  await db
    .update(usageEvents)
    .set({ meterReportedAt: new Date(), meterAttempts: sql`${usageEvents.meterAttempts} + 1`, meterError: null })
    .where(and(eq(usageEvents.id, id), isNull(usageEvents.meterReportedAt)));
}

/** Stripe answers a reused identifier with a 400 that says so: it was accepted before (e.g. our mark was lost in a crash). */
function isDuplicateIdentifier(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const e = error as { statusCode?: number; message?: string };
  return e.statusCode === 400 && /identifier/i.test(e.message ?? "") && /already|exists|duplicate/i.test(e.message ?? "");
}
