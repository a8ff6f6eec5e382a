import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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
  invoices: Array<Record<string, unknown>>;
  /** accepted meter events by identifier, and every attempt (including rejected duplicates) */
  meterEvents: Map<string, Record<string, unknown>>;
  meterAttempts: number;
  /** answer the next n requests with a 500 api_error (a Stripe outage) */
  failNext: (n: number, path?: RegExp) => void;
  requests: Array<{ method: string; path: string; body: Record<string, unknown> }>;
  close: () => Promise<void>;
};

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

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

export async function startFakeStripe(options: { port?: number } = {}): Promise<FakeStripe> {
  let failures: Array<RegExp | null> = [];
  const state = {
    customers: new Map<string, Record<string, unknown>>(),
    sessions: new Map<string, Record<string, unknown>>(),
    coupons: new Map<string, Record<string, unknown>>(),
    subscriptions: new Map<string, Record<string, unknown>>(),
    invoices: [] as Array<Record<string, unknown>>,
    meterEvents: new Map<string, Record<string, unknown>>(),
    meterAttempts: 0,
    requests: [] as FakeStripe["requests"],
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, type: string, message: string) => send(res, status, { error: { type, message } });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://stripe.local");
    const body = parseStripeForm(Buffer.concat(chunks).toString("utf8"));
    const path = url.pathname;
    const method = req.method ?? "GET";
    state.requests.push({ method, path, body });
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
    if (method === "POST" && path === "/v1/coupons") {
      const coupon = { id: id("co"), object: "coupon", amount_off: Number(body.amount_off), currency: body.currency, duration: body.duration, duration_in_months: Number(body.duration_in_months ?? 0) || null, name: body.name ?? null, valid: true };
      state.coupons.set(coupon.id, coupon);
      return send(res, 200, coupon);
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      if (body.mode !== "payment" && body.mode !== "subscription") return error(res, 400, "invalid_request_error", "Missing required param: mode.");
      if (!Array.isArray(body.line_items) || body.line_items.length === 0) return error(res, 400, "invalid_request_error", "line_items is required.");
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
        url: `https://checkout.stripe.test/c/pay/${sessionId}`,
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
      const identifier = String(body.identifier ?? id("mev"));
      if (state.meterEvents.has(identifier)) {
        return error(res, 400, "invalid_request_error", `An event with identifier ${identifier} already exists.`);
      }
      const event = { object: "billing.meter_event", created: now, event_name: body.event_name, identifier, livemode: false, payload: body.payload ?? {}, timestamp: Number(body.timestamp ?? now) };
      state.meterEvents.set(identifier, event);
      return send(res, 200, event);
    }
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
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    get meterAttempts() {
      return state.meterAttempts;
    },
    failNext: (n, path) => {
      failures = failures.concat(Array.from({ length: n }, () => path ?? null));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
