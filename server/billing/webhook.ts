import "server-only";
import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { stripeEvents } from "@/db/schema";
import { AppError, errorBody } from "@/server/errors";
import { applyStripeEvent, readStripeState } from "./fulfil";
import { eventSchema } from "./stripe-objects";
import { webhookSecret, webhookVerifier } from "./stripe";

export type WebhookResult = { status: number; body: Record<string, unknown> };

export const MAX_EVENT_ATTEMPTS = 8;

/** A refused delivery, in the vocabulary every Route Handler answers with. */
function refusal(error: AppError): WebhookResult {
  return { status: error.status, body: errorBody(error) };
}

/**
 * POST /api/stripe/webhook, given the raw body: verify the signature before
 * anything else; store the event by its id (a replay stops here); then apply
 * it. A failure is recorded on the stored event and retried by the worker,
 * so Stripe still gets 200 — its own retry would be a no-op replay.
 */
export async function receiveStripeWebhook(db: Db, rawBody: string, signature: string | null): Promise<WebhookResult> {
  const secret = webhookSecret();
  if (!secret) return refusal(new AppError("unavailable:webhook_secret", "STRIPE_WEBHOOK_SECRET is not configured, so events cannot be verified."));
  if (!signature) return refusal(new AppError("bad_request:signature", "Missing Stripe-Signature header."));
  let parsed: unknown;
  try {
    parsed = webhookVerifier().webhooks.constructEvent(rawBody, signature, secret);
  } catch {
    return refusal(new AppError("bad_request:signature", "Invalid or stale signature."));
  }
  const envelope = eventSchema.safeParse(parsed);
  if (!envelope.success) return refusal(new AppError("bad_request:stripe_event", "Not a Stripe event."));
  const event = envelope.data;

  const [stored] = await db
    .insert(stripeEvents)
    .values({ id: event.id, type: event.type, payload: event as unknown as Record<string, unknown>, stripeCreated: event.created })
    .onConflictDoNothing({ target: stripeEvents.id })
    .returning({ id: stripeEvents.id });
  if (!stored) return { status: 200, body: { received: true, duplicate: true } };

  const outcome = await processStripeEvent(db, event.id);
  return { status: 200, body: { received: true, outcome } };
}

/**
 * Applies a stored event once. What it needs from Stripe is read first, with
 * no transaction open; then the row is locked for the whole transaction, so
 * the webhook and the retry worker (on any instance) cannot apply it twice.
 */
export async function processStripeEvent(db: Db, eventId: string): Promise<string> {
  try {
    const [pending] = await db.select().from(stripeEvents).where(eq(stripeEvents.id, eventId)).limit(1);
    if (!pending) return "missing";
    if (pending.outcome === "processed" || pending.outcome === "ignored") return pending.outcome;
    const event = eventSchema.parse(pending.payload);
    const reads = await readStripeState(event);
    return await db.transaction(async (tx) => {
      const [row] = await tx.select().from(stripeEvents).where(eq(stripeEvents.id, eventId)).for("update");
      if (!row) return "missing";
      if (row.outcome === "processed" || row.outcome === "ignored") return row.outcome;
      const outcome = await applyStripeEvent(tx, event, reads);
      await tx
        .update(stripeEvents)
        .set({ outcome, processedAt: new Date(), attempts: sql`${stripeEvents.attempts} + 1`, error: null })
        .where(eq(stripeEvents.id, eventId));
      return outcome;
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[arbor] stripe event ${eventId} failed`, message);
    await db
      .update(stripeEvents)
      .set({ outcome: "failed", attempts: sql`${stripeEvents.attempts} + 1`, error: message.slice(0, 1000) })
      .where(eq(stripeEvents.id, eventId));
    return "failed";
  }
}

/** Worker: retries failed events (and any left pending by a crash) with a growing pause between attempts. */
export async function retryStripeEvents(db: Db, now = new Date()): Promise<number> {
  const due = await db
    .select({ id: stripeEvents.id })
    .from(stripeEvents)
    .where(
      and(
        inArray(stripeEvents.outcome, ["pending", "failed"]),
        lt(stripeEvents.attempts, MAX_EVENT_ATTEMPTS),
        // 10 s, 20 s, 40 s … after receipt, so a live webhook finishes first
        sql`${stripeEvents.receivedAt} < ${now.toISOString()}::timestamptz - (interval '10 seconds' * power(2, ${stripeEvents.attempts}))`,
      ),
    )
    .orderBy(asc(stripeEvents.stripeCreated))
    .limit(50);
  let done = 0;
  for (const { id } of due) {
    const outcome = await processStripeEvent(db, id);
    if (outcome !== "failed") done++;
  }
  return done;
}
