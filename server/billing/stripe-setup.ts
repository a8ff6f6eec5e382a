import "server-only";
import Stripe from "stripe";
import { METER_EVENT_NAME } from "./meter";
import { microsToCents, type PaidTier, PLANS } from "./plans";

/** Arbor's product in Stripe, by a fixed id (Stripe lets a product choose its own). */
export const PRODUCT_ID = "arbor";
/** The lookup keys `stripe:setup` finds its prices by, so running it twice changes nothing. */
export const LOOKUP_KEYS = { managed: "arbor_managed_monthly", byok: "arbor_byok_monthly", usage: "arbor_usage_micros" } as const;
/**
 * The meter's value is the net charge in micro-USD, so a unit costs one
 * micro-dollar: 0.0001 of a cent (Stripe takes up to 12 decimal places in
 * unit_amount_decimal and rounds the invoice line to the cent).
 */
export const USAGE_UNIT_CENTS = "0.0001";

export type StripeSetup = { productId: string; managedPriceId: string; byokPriceId: string; meterId: string; usagePriceId: string; created: string[] };

/**
 * Finds or creates what Arbor bills with: the product, a flat monthly price
 * per paid plan, the Billing Meter its usage reports go to
 * (`arbor_usage_micros`, summed, mapped to the customer by
 * `stripe_customer_id`) and the metered price tied to that meter. Found by
 * lookup key (the product by id, the meter by event name); a price whose
 * amount no longer matches the plan is replaced, taking its lookup key over.
 * @see docs/billing.md#stripe-setup
 */
export async function setupStripe(stripe: Stripe): Promise<StripeSetup> {
  const created: string[] = [];
  const productId = await ensureProduct(stripe, created);
  const existing = await stripe.prices.list({ lookup_keys: Object.values(LOOKUP_KEYS), active: true, limit: 10 });
  const byKey = new Map(existing.data.map((p) => [p.lookup_key, p]));
  const flat = async (tier: PaidTier) => {
    const cents = microsToCents(PLANS[tier].monthlyMicros);
    const found = byKey.get(LOOKUP_KEYS[tier]);
    if (found && found.unit_amount === cents && found.recurring?.interval === "month") return found.id;
    const price = await stripe.prices.create({
      product: productId,
      currency: "usd",
      unit_amount: cents,
      recurring: { interval: "month" },
      lookup_key: LOOKUP_KEYS[tier],
      transfer_lookup_key: Boolean(found),
      nickname: PLANS[tier].name,
    });
    created.push(`price ${LOOKUP_KEYS[tier]}`);
    return price.id;
  };
  const managedPriceId = await flat("managed");
  const byokPriceId = await flat("byok");
  const meterId = await ensureMeter(stripe, created);
  const usage = byKey.get(LOOKUP_KEYS.usage);
  let usagePriceId = usage?.id;
  if (!usage || usage.recurring?.meter !== meterId || String(usage.unit_amount_decimal) !== USAGE_UNIT_CENTS) {
    const price = await stripe.prices.create({
      product: productId,
      currency: "usd",
      unit_amount_decimal: Stripe.Decimal.from(USAGE_UNIT_CENTS),
      recurring: { interval: "month", usage_type: "metered", meter: meterId },
      lookup_key: LOOKUP_KEYS.usage,
      transfer_lookup_key: Boolean(usage),
      nickname: "Arbor usage (per micro-USD)",
    });
    created.push(`price ${LOOKUP_KEYS.usage}`);
    usagePriceId = price.id;
  }
  return { productId, managedPriceId, byokPriceId, meterId, usagePriceId: usagePriceId as string, created };
}

async function ensureProduct(stripe: Stripe, created: string[]): Promise<string> {
  try {
    return (await stripe.products.retrieve(PRODUCT_ID)).id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  const product = await stripe.products.create({ id: PRODUCT_ID, name: "Arbor", description: "Arbor's plans and metered cloud usage" });
  created.push("product arbor");
  return product.id;
}

async function ensureMeter(stripe: Stripe, created: string[]): Promise<string> {
  const meters = await stripe.billing.meters.list({ status: "active", limit: 100 });
  const found = meters.data.find((m) => m.event_name === METER_EVENT_NAME);
  if (found) return found.id;
  const meter = await stripe.billing.meters.create({
    display_name: "Arbor usage (micro-USD)",
    event_name: METER_EVENT_NAME,
    default_aggregation: { formula: "sum" },
    customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
    value_settings: { event_payload_key: "value" },
  });
  created.push(`meter ${METER_EVENT_NAME}`);
  return meter.id;
}

/** The lines to put in the environment after a setup. */
export function setupEnvLines(setup: StripeSetup): string[] {
  return [`STRIPE_PRICE_MANAGED=${setup.managedPriceId}`, `STRIPE_PRICE_BYOK=${setup.byokPriceId}`, `STRIPE_PRICE_USAGE=${setup.usagePriceId}`];
}
