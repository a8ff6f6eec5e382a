import { getDb } from "@/db/client";
import { receiveStripeWebhook } from "@/server/billing/webhook";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Stripe (or the test checkout) posts events here; the signature is checked on the raw body before anything else. */
export async function POST(request: Request): Promise<Response> {
  const rawBody = await request.text();
  const result = await receiveStripeWebhook(await getDb(), rawBody, request.headers.get("stripe-signature"));
  return Response.json(result.body, { status: result.status });
}
