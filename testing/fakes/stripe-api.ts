import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import {
  createMeter,
  createMeterEvent,
  createPrice,
  createProduct,
  isRefusal,
  listPrices,
  newBillingState,
  previewInvoice,
  type Refusal,
  stripeId,
  subscriptionFromSession,
} from "./stripe-billing";

const signer = new Stripe("sk_test_stand_in_signer");

/**
 * A local stand-in for the few Stripe API endpoints Arbor calls (there is no
 * stripe-mock on this machine): Stripe's form-encoded requests in, Stripe's
 * JSON objects and error envelope out. The real `stripe` client talks to it
 * through its host/port/protocol options (STRIPE_API_URL).
 */
export type FakeStripe = {
  url: string;
  customers: Map<string, Record<string, unknown>>;
  sessions: Map<string, Record<string, unknown>>;
  coupons: Map<string, Record<string, unknown>>;
  subscriptions: Map<string, Record<string, unknown>>;
  products: Map<string, Record<string, unknown>>;
  prices: Map<string, Record<string, unknown>>;
  meters: Map<string, Record<string, unknown>>;
  invoices: Array<Record<string, unknown>>;
  /** accepted meter events by identifier, and every attempt (including rejected ones) */
  meterEvents: Map<string, Record<string, unknown>>;
  meterAttempts: number;
  /** answer the next n requests with a 500 api_error (a Stripe outage) */
  failNext: (n: number, path?: RegExp) => void;
  /** forget the failures failNext queued and no request used up (the outage is over) */
  recover: () => void;
  /**
   * What paying on Stripe's hosted page does: the session completes, a
   * subscription session makes its subscription, and the events Stripe would
   * send are returned (and, with a webhook configured, signed and delivered).
   */
  completeCheckout: (sessionId: string) => Promise<Array<Record<string, unknown>>>;
  requests: Array<{ method: string; path: string; body: Record<string, unknown> }>;
  close: () => Promise<void>;
};

/** Where the stand-in delivers the events of a completed checkout, as a Stripe webhook endpoint would receive them. */
export type FakeStripeWebhook = { url: string; secret: string };

type Form = Record<string, unknown>;

/** `a[b][0][c]=1` → { a: { b: [ { c: "1" } ] } }, as Stripe's own server reads it. */
export function parseStripeForm(text: string): Form {
  const root: Form = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const parts = rawKey.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> | unknown[] = root;
    parts.forEach((part, index) => {
      const last = index === parts.length - 1;
      const nextIsIndex = /^\d+$/.test(parts[index + 1] ?? "");
      const container = node as Record<string, unknown>;
      if (last) {
        container[part] = value;
        return;
      }
      container[part] ??= nextIsIndex ? [] : {};
      node = container[part] as Record<string, unknown>;
    });
  }
  return root;
}

const id = stripeId;

export async function startFakeStripe(options: { port?: number; webhook?: FakeStripeWebhook } = {}): Promise<FakeStripe> {
  let failures: Array<RegExp | null> = [];
  const billing = newBillingState();
  const state = {
    ...billing,
    sessions: new Map<string, Record<string, unknown>>(),
    coupons: new Map<string, Record<string, unknown>>(),
    invoices: [] as Array<Record<string, unknown>>,
    meterAttempts: 0,
    requests: [] as FakeStripe["requests"],
  };
  let baseUrl = "";

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, type: string, message: string) => send(res, status, { error: { type, message } });
  const answer = (res: ServerResponse, result: Record<string, unknown> | Refusal) =>
    isRefusal(result) ? error(res, result.status, result.type, result.message) : send(res, 200, result);

  const completeCheckout = async (sessionId: string) => {
    const session = state.sessions.get(sessionId);
    if (!session) throw new Error(`no such checkout session ${sessionId}`);
    const now = Math.floor(Date.now() / 1000);
    const events: Array<Record<string, unknown>> = [];
    const envelope = (type: string, object: Record<string, unknown>) => ({ id: id("evt"), object: "event", api_version: "2026-10-28.endive", created: now, livemode: false, pending_webhooks: 1, type, data: { object } });
    let subscriptionId: string | null = null;
    if (session.mode === "subscription") {
      const subscription = subscriptionFromSession(state, session, now);
      if (isRefusal(subscription)) throw new Error(subscription.message);
      subscriptionId = String(subscription.id);
      events.push(envelope("customer.subscription.created", subscription));
    }
    Object.assign(session, { status: "complete", payment_status: "paid", subscription: subscriptionId });
    events.unshift(envelope("checkout.session.completed", { ...session, line_items_requested: undefined }));
    if (options.webhook) {
      for (const event of events) {
        const payload = JSON.stringify(event);
        const signature = signer.webhooks.generateTestHeaderString({ payload, secret: options.webhook.secret });
        const delivered = await fetch(options.webhook.url, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": signature }, body: payload });
        if (!delivered.ok) throw new Error(`the webhook answered ${delivered.status} for ${String(event.type)}`);
      }
    }
    return events;
  };

  /** Stripe's hosted Checkout page, reduced to its line items and a Pay button (end-to-end journeys pay here). */
  const hostedCheckout = async (req: IncomingMessage, res: ServerResponse, sessionId: string) => {
    const session = state.sessions.get(sessionId);
    if (!session) return error(res, 404, "invalid_request_error", "No such checkout session.");
    if (req.method === "POST") {
      await completeCheckout(sessionId);
      res.writeHead(303, { location: String(session.success_url) }).end();
      return;
    }
    const items = ((session.line_items_requested as Array<Record<string, unknown>>) ?? [])
      .map((line) => {
        const price = state.prices.get(String(line.price ?? ""));
        const label = price ? String(price.nickname ?? price.id) : String((line.price_data as Record<string, Record<string, unknown>>)?.product_data?.name ?? "Item");
        return `<li>${label.replace(/[<&]/g, "")}</li>`;
      })
      .join("");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><title>Stripe Checkout (stand-in)</title></head><body><main><h1>Stripe Checkout (stand-in)</h1><ul aria-label="Line items">${items}</ul><form method="post"><button type="submit">Pay</button></form></main></body></html>`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://stripe.local");
    const body = parseStripeForm(Buffer.concat(chunks).toString("utf8"));
    const path = url.pathname;
    const method = req.method ?? "GET";
    state.requests.push({ method, path, body });
    const hosted = /^\/c\/pay\/([^/]+)$/.exec(path);
    if (hosted?.[1]) return hostedCheckout(req, res, hosted[1]);
    if (!/^Bearer sk_/.test(req.headers.authorization ?? "")) return error(res, 401, "invalid_request_error", "Invalid API Key provided.");
    const failAt = failures.findIndex((p) => p === null || p.test(path));
    if (failAt >= 0) {
      failures.splice(failAt, 1);
      return error(res, 500, "api_error", "Stripe is having trouble (fake outage).");
    }
    const now = Math.floor(Date.now() / 1000);

    if (method === "POST" && path === "/v1/customers") {
      const customer = { id: id("cus"), object: "customer", email: body.email ?? null, metadata: body.metadata ?? {}, created: now };
      state.customers.set(customer.id, customer);
      return send(res, 200, customer);
    }
    const customerPath = /^\/v1\/customers\/([^/]+)$/.exec(path);
    if (method === "DELETE" && customerPath?.[1]) {
      // Stripe deletes a customer for good; a second delete is "No such customer" (404, resource_missing).
      const customerId = decodeURIComponent(customerPath[1]);
      if (!state.customers.delete(customerId)) {
        return send(res, 404, { error: { type: "invalid_request_error", code: "resource_missing", param: "id", message: `No such customer: '${customerId}'` } });
      }
      return send(res, 200, { id: customerId, object: "customer", deleted: true });
    }
    if (method === "POST" && path === "/v1/coupons") {
      const coupon = { id: id("co"), object: "coupon", amount_off: Number(body.amount_off), currency: body.currency, duration: body.duration, duration_in_months: Number(body.duration_in_months ?? 0) || null, name: body.name ?? null, valid: true };
      state.coupons.set(coupon.id, coupon);
      return send(res, 200, coupon);
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      if (body.mode !== "payment" && body.mode !== "subscription") return error(res, 400, "invalid_request_error", "Missing required param: mode.");
      if (!Array.isArray(body.line_items) || body.line_items.length === 0) return error(res, 400, "invalid_request_error", "line_items is required.");
      for (const line of body.line_items as Array<Record<string, unknown>>) {
        if (line.price === undefined) continue;
        const price = state.prices.get(String(line.price));
        if (!price) return error(res, 400, "invalid_request_error", `No such price: '${String(line.price)}'`);
        const metered = (price.recurring as Record<string, unknown> | null)?.usage_type === "metered";
        if (metered && line.quantity !== undefined) return error(res, 400, "invalid_request_error", "Quantity should not be specified where usage_type is `metered`.");
        if (price.recurring && body.mode !== "subscription") return error(res, 400, "invalid_request_error", "You must be in subscription mode to specify a recurring price.");
      }
      const sessionId = id("cs_test");
      const session = {
        id: sessionId,
        object: "checkout.session",
        mode: body.mode,
        customer: body.customer ?? null,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        line_items_requested: body.line_items,
        discounts: body.discounts ?? [],
        subscription_data: body.subscription_data ?? null,
        status: "open",
        payment_status: "unpaid",
        url: `${baseUrl}/c/pay/${sessionId}`,
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        created: now,
      };
      state.sessions.set(sessionId, session);
      return send(res, 200, session);
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      if (typeof body.customer !== "string" || !state.customers.has(body.customer)) return error(res, 400, "invalid_request_error", `No such customer: '${String(body.customer)}'`);
      const portal = { id: id("bps"), object: "billing_portal.session", customer: body.customer, return_url: body.return_url, url: `https://billing.stripe.test/p/session/${id("x")}` };
      return send(res, 200, portal);
    }
    if (method === "POST" && path === "/v1/billing/meter_events") {
      state.meterAttempts++;
      return answer(res, createMeterEvent(state, body, now));
    }
    if (method === "POST" && path === "/v1/products") return answer(res, createProduct(state, body, now));
    const product = /^\/v1\/products\/([^/]+)$/.exec(path);
    if (method === "GET" && product?.[1]) {
      const found = state.products.get(product[1]);
      return found ? send(res, 200, found) : error(res, 404, "invalid_request_error", `No such product: '${product[1]}'`);
    }
    if (method === "POST" && path === "/v1/prices") return answer(res, createPrice(state, body, now));
    if (method === "GET" && path === "/v1/prices") return send(res, 200, { object: "list", data: listPrices(state, url.searchParams), has_more: false, url: "/v1/prices" });
    if (method === "POST" && path === "/v1/billing/meters") return answer(res, createMeter(state, body, now));
    if (method === "GET" && path === "/v1/billing/meters") {
      const status = url.searchParams.get("status");
      const data = [...state.meters.values()].filter((m) => !status || m.status === status);
      return send(res, 200, { object: "list", data, has_more: false, url: "/v1/billing/meters" });
    }
    if (method === "POST" && path === "/v1/invoices/create_preview") return answer(res, previewInvoice(state, body));
    const sub = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (method === "GET" && sub?.[1]) {
      const found = state.subscriptions.get(sub[1]);
      return found ? send(res, 200, found) : error(res, 404, "invalid_request_error", `No such subscription: '${sub[1]}'`);
    }
    if (method === "GET" && path === "/v1/invoices") {
      const customer = url.searchParams.get("customer");
      const data = state.invoices.filter((i) => !customer || i.customer === customer);
      return send(res, 200, { object: "list", data, has_more: false, url: "/v1/invoices" });
    }
    return error(res, 404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, "api_error", e instanceof Error ? e.message : String(e)));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    ...state,
    completeCheckout,
    get meterAttempts() {
      return state.meterAttempts;
    },
    failNext: (n, path) => {
      failures = failures.concat(Array.from({ length: n }, () => path ?? null));
    },
    recover: () => {
      failures = [];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
