import { getDb } from "@/db/client";
import { receiveStripeWebhook } from "@/server/billing/webhook";
import { errorResponse } from "@/server/errors";
import { BODY_LIMITS, readCappedBody } from "@/server/security/request-guard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Stripe (or the test checkout) posts events here; the raw body is read within a cap, then the
 * signature is checked before anything else. No same-site check: Stripe is another site by nature,
 * and the signature is what proves the sender.
 */
export async function POST(request: Request): Promise<Response> {
  let rawBody: string;
  try {
    rawBody = new TextDecoder().decode(await readCappedBody(request, BODY_LIMITS.stripeWebhook));
  } catch (error) {
    return errorResponse(error);
  }
  const result = await receiveStripeWebhook(await getDb(), rawBody, request.headers.get("stripe-signature"));
  return Response.json(result.body, { status: result.status });
}
