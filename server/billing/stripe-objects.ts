import "server-only";
import { z } from "zod";

/**
 * The few fields Arbor reads from Stripe objects, validated instead of cast
 * (a webhook payload is untrusted input until its fields are checked).
 */
const idOrObject = z.union([z.string(), z.object({ id: z.string() }).passthrough()]).transform((v) => (typeof v === "string" ? v : v.id));
const metadata = z.record(z.string(), z.string()).nullish().transform((m) => m ?? {});

export const checkoutSessionSchema = z.object({
  id: z.string(),
  object: z.literal("checkout.session"),
  mode: z.enum(["payment", "subscription", "setup"]),
  customer: idOrObject.nullish(),
  subscription: idOrObject.nullish(),
  payment_status: z.string().nullish(),
  amount_total: z.number().int().nullish(),
  metadata,
});
export type CheckoutSessionObject = z.infer<typeof checkoutSessionSchema>;

export const subscriptionSchema = z.object({
  id: z.string(),
  object: z.literal("subscription"),
  customer: idOrObject,
  status: z.string(),
  cancel_at_period_end: z.boolean().nullish(),
  current_period_end: z.number().int().nullish(),
  items: z
    .object({ data: z.array(z.object({ current_period_end: z.number().int().nullish() }).passthrough()) })
    .passthrough()
    .nullish(),
  metadata,
});
export type SubscriptionObject = z.infer<typeof subscriptionSchema>;

export const invoiceSchema = z.object({
  id: z.string(),
  object: z.literal("invoice"),
  customer: idOrObject.nullish(),
  amount_paid: z.number().int().nullish(),
  amount_due: z.number().int().nullish(),
  hosted_invoice_url: z.string().nullish(),
  lines: z
    .object({ data: z.array(z.object({ amount: z.number().int(), metadata }).passthrough()) })
    .passthrough()
    .nullish(),
});
export type InvoiceObject = z.infer<typeof invoiceSchema>;

export const eventSchema = z.object({
  id: z.string(),
  object: z.literal("event"),
  type: z.string(),
  created: z.number().int(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});
export type StripeEventEnvelope = z.infer<typeof eventSchema>;

export function periodEndOf(sub: SubscriptionObject): Date | null {
  const seconds = sub.current_period_end ?? sub.items?.data[0]?.current_period_end ?? null;
  return seconds ? new Date(seconds * 1000) : null;
}
