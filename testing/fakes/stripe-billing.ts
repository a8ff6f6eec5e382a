import { randomBytes } from "node:crypto";

/**
 * The Stripe stand-in's catalogue and usage billing, as Stripe behaves for the
 * calls Arbor makes: products, prices (flat and metered), Billing Meters and
 * their events, subscriptions made by completing a Checkout session, and the
 * upcoming invoice (`POST /v1/invoices/create_preview`) computed from the
 * subscription's items and the meter's events. Shapes follow Stripe's API
 * reference; only the fields Arbor and its tests read are filled in.
 */
export type StripeObject = Record<string, unknown>;
type Form = Record<string, unknown>;
export type Refusal = { status: number; type: string; message: string };

export const stripeId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

export type BillingState = {
  products: Map<string, StripeObject>;
  prices: Map<string, StripeObject>;
  meters: Map<string, StripeObject>;
  customers: Map<string, StripeObject>;
  subscriptions: Map<string, StripeObject>;
  /** accepted meter events by identifier */
  meterEvents: Map<string, StripeObject>;
};

export function newBillingState(): BillingState {
  return { products: new Map(), prices: new Map(), meters: new Map(), customers: new Map(), subscriptions: new Map(), meterEvents: new Map() };
}

const invalid = (message: string): Refusal => ({ status: 400, type: "invalid_request_error", message });
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const record = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Form) : {});

export function createProduct(state: BillingState, body: Form, now: number): StripeObject | Refusal {
  if (!str(body.name)) return invalid("Missing required param: name.");
  const productId = str(body.id) ?? stripeId("prod");
  if (state.products.has(productId)) return invalid(`Product already exists: '${productId}'`);
  const product = { id: productId, object: "product", name: body.name, active: true, metadata: record(body.metadata), created: now };
  state.products.set(productId, product);
  return product;
}

/** Stripe refuses a metered price without a meter (usage-based prices bill a Billing Meter's events). */
export function createPrice(state: BillingState, body: Form, now: number): StripeObject | Refusal {
  const product = str(body.product);
  if (!product || !state.products.has(product)) return invalid(`No such product: '${String(body.product)}'`);
  if (body.currency !== "usd") return invalid("Missing required param: currency.");
  const recurring = body.recurring === undefined ? null : record(body.recurring);
  const usageType = recurring ? (str(recurring.usage_type) ?? "licensed") : null;
  if (usageType === "metered") {
    const meter = str(recurring?.meter);
    if (!meter) return invalid("Prices with `usage_type=metered` must be backed by a meter: pass `recurring[meter]`.");
    if (!state.meters.has(meter)) return invalid(`No such billing meter: '${meter}'`);
  }
  const unitAmountDecimal = str(body.unit_amount_decimal) ?? (body.unit_amount !== undefined ? String(body.unit_amount) : null);
  if (unitAmountDecimal === null) return invalid("Missing required param: unit_amount.");
  const lookupKey = str(body.lookup_key) ?? null;
  if (lookupKey) {
    const holder = [...state.prices.values()].find((p) => p.lookup_key === lookupKey);
    if (holder && body.transfer_lookup_key !== "true") return invalid(`A price (\`${String(holder.id)}\`) already uses that lookup key.`);
    if (holder) holder.lookup_key = null;
  }
  const price = {
    id: stripeId("price"),
    object: "price",
    active: true,
    currency: "usd",
    product,
    lookup_key: lookupKey,
    nickname: str(body.nickname) ?? null,
    unit_amount: /^\d+$/.test(unitAmountDecimal) ? Number(unitAmountDecimal) : null,
    unit_amount_decimal: unitAmountDecimal,
    recurring: recurring ? { interval: str(recurring.interval) ?? "month", interval_count: 1, usage_type: usageType, meter: str(recurring.meter) ?? null } : null,
    type: recurring ? "recurring" : "one_time",
    created: now,
  };
  state.prices.set(price.id, price);
  return price;
}

export function listPrices(state: BillingState, query: URLSearchParams): StripeObject[] {
  const keys = query.getAll("lookup_keys[]").concat(query.getAll("lookup_keys"));
  return [...state.prices.values()].filter((p) => (keys.length === 0 || keys.includes(String(p.lookup_key))) && (query.get("active") !== "true" || p.active));
}

export function createMeter(state: BillingState, body: Form, now: number): StripeObject | Refusal {
  const eventName = str(body.event_name);
  if (!eventName || !str(body.display_name)) return invalid("Missing required param: event_name or display_name.");
  if ([...state.meters.values()].some((m) => m.event_name === eventName && m.status === "active")) {
    return invalid(`An active meter with event_name '${eventName}' already exists.`);
  }
  const aggregation = record(body.default_aggregation);
  const mapping = record(body.customer_mapping);
  const value = record(body.value_settings);
  const meter = {
    id: stripeId("mtr"),
    object: "billing.meter",
    display_name: body.display_name,
    event_name: eventName,
    status: "active",
    default_aggregation: { formula: str(aggregation.formula) ?? "sum" },
    customer_mapping: { type: "by_id", event_payload_key: str(mapping.event_payload_key) ?? "stripe_customer_id" },
    value_settings: { event_payload_key: str(value.event_payload_key) ?? "value" },
    created: now,
  };
  state.meters.set(meter.id, meter);
  return meter;
}

/** Stripe takes a meter event only for an active meter's event name, with a whole-number value and a customer. */
export function createMeterEvent(state: BillingState, body: Form, now: number): StripeObject | Refusal {
  const meter = [...state.meters.values()].find((m) => m.event_name === body.event_name && m.status === "active");
  if (!meter) return invalid(`No active meter was found for event_name '${String(body.event_name)}'.`);
  const identifier = str(body.identifier) ?? stripeId("mev");
  if (state.meterEvents.has(identifier)) return invalid(`An event with identifier ${identifier} already exists.`);
  const payload = record(body.payload);
  const customerKey = String(record(meter.customer_mapping).event_payload_key);
  const valueKey = String(record(meter.value_settings).event_payload_key);
  if (!str(payload[customerKey])) return invalid(`Missing the customer mapping key '${customerKey}' in payload.`);
  if (!/^\d+$/.test(String(payload[valueKey] ?? ""))) return invalid(`The value for '${valueKey}' must be a whole number.`);
  const event = { object: "billing.meter_event", created: now, event_name: body.event_name, identifier, livemode: false, payload, timestamp: Number(body.timestamp ?? now) };
  state.meterEvents.set(identifier, event);
  return event;
}

/** What Checkout creates when a subscription session is paid: the subscription with one item per recurring price. */
export function subscriptionFromSession(state: BillingState, session: StripeObject, now: number): StripeObject | Refusal {
  const customer = str(session.customer);
  if (!customer) return invalid("The session has no customer.");
  const periodEnd = now + 30 * 24 * 3600;
  const items: StripeObject[] = [];
  for (const line of (session.line_items_requested as Form[] | undefined) ?? []) {
    const price = state.prices.get(String(line.price ?? ""));
    if (!price?.recurring) continue;
    items.push({
      id: stripeId("si"),
      object: "subscription_item",
      price,
      quantity: price.recurring && record(price.recurring).usage_type === "metered" ? undefined : Number(line.quantity ?? 1),
      current_period_start: now,
      current_period_end: periodEnd,
    });
  }
  const subscription = {
    id: stripeId("sub"),
    object: "subscription",
    customer,
    status: "active",
    cancel_at_period_end: false,
    current_period_start: now,
    current_period_end: periodEnd,
    items: { object: "list", data: items },
    metadata: record(record(session.subscription_data).metadata),
    created: now,
  };
  state.subscriptions.set(subscription.id, subscription);
  return subscription;
}

/**
 * The upcoming invoice of a customer's (or one) subscription, as Stripe
 * computes it: a line per item — a flat price once, a metered price for the
 * sum of its meter's events for that customer in the current period (value ×
 * unit_amount_decimal, rounded to the cent).
 */
export function previewInvoice(state: BillingState, body: Form): StripeObject | Refusal {
  const bySubscription = str(body.subscription);
  const customer = str(body.customer);
  const subscription = bySubscription
    ? state.subscriptions.get(bySubscription)
    : [...state.subscriptions.values()].find((s) => s.customer === customer && s.status === "active");
  if (!subscription) return invalid(customer ? `No upcoming invoices for customer: ${customer}` : "Missing required param: customer or subscription.");
  const start = Number(subscription.current_period_start);
  const end = Number(subscription.current_period_end);
  const lines = (record(subscription.items).data as StripeObject[]).map((item) => {
    const price = record(item.price);
    const recurring = record(price.recurring);
    const unit = Number(price.unit_amount_decimal);
    if (recurring.usage_type !== "metered") {
      const quantity = Number(item.quantity ?? 1);
      return { object: "line_item", amount: Math.round(unit * quantity), quantity, pricing: { price_details: { price: price.id } }, description: `${quantity} × ${String(price.nickname ?? "plan")}`, period: { start, end }, metadata: {} };
    }
    const meter = state.meters.get(String(recurring.meter));
    const customerKey = String(record(meter?.customer_mapping).event_payload_key);
    const valueKey = String(record(meter?.value_settings).event_payload_key);
    let quantity = 0n;
    for (const event of state.meterEvents.values()) {
      const payload = record(event.payload);
      const at = Number(event.timestamp);
      if (event.event_name === meter?.event_name && payload[customerKey] === subscription.customer && at >= start && at < end) quantity += BigInt(String(payload[valueKey]));
    }
    // unit_amount_decimal is in cents per unit; Stripe rounds the line to the nearest cent
    const amount = Math.round(Number(quantity) * unit);
    return { object: "line_item", amount, quantity: Number(quantity), pricing: { price_details: { price: price.id } }, description: `Usage (${String(meter?.display_name ?? "meter")})`, period: { start, end }, metadata: {} };
  });
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  return {
    id: null,
    object: "invoice",
    customer: subscription.customer,
    subscription: subscription.id,
    status: "draft",
    amount_due: total,
    subtotal: total,
    total,
    currency: "usd",
    period_start: start,
    period_end: end,
    lines: { object: "list", data: lines, has_more: false },
  };
}

export const isRefusal = (v: StripeObject | Refusal): v is Refusal => typeof (v as Refusal).status === "number" && typeof (v as Refusal).type === "string" && !("object" in v);
