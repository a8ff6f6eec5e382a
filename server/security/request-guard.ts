import "server-only";
import { formatBytes, KB, MB } from "@/lib/bytes";
import { AppError } from "@/server/errors";

/**
 * Body limits per Route Handler, checked before a byte is parsed. Each is the
 * largest honest request plus room for JSON escaping.
 */
export const BODY_LIMITS = {
  /** A chat turn: content is at most 200,000 characters (lib/chat-protocol.ts), ≤ 3 bytes each in UTF-8. */
  chat: 1 * MB,
  /** Stop carries no body at all. */
  stop: 4 * KB,
  /** tRPC: a pasted note is at most 2,000,000 characters (server/knowledge/limits.ts), and JSON may escape some. */
  trpc: 16 * MB,
  /** Stripe's events are a few kilobytes; the biggest (invoices with many lines) stay well under this. */
  stripeWebhook: 1 * MB,
  /** Auth.js forms: an email, a password, a CSRF token. */
  auth: 64 * KB,
  /** Device pairing, heartbeats and prewarm signals: a few hundred bytes of fields. */
  device: 16 * KB,
  /** A batch of tunnelled answer text from a device agent. */
  deviceJob: 256 * KB,
} as const;

/**
 * Refuse a state-changing request another site made the browser send (the
 * session cookie is SameSite=Lax, which still lets a top-level cross-site
 * form POST through on some browsers, and any same-site sibling origin).
 * Browsers mark every request with `Sec-Fetch-Site`; where it is missing we
 * fall back to `Origin`, which must name this host. A request with neither
 * comes from a script or a device, which carries no ambient cookie of the
 * victim's.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Sec-Fetch-Site
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#fetch-metadata-headers
 */
export function assertSameOrigin(headers: Headers): void {
  const site = headers.get("sec-fetch-site");
  if (site) {
    if (site === "same-origin" || site === "none") return;
    throw crossSite();
  }
  const origin = headers.get("origin");
  if (origin === null) return;
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (!originHost || !host || originHost.toLowerCase() !== host.toLowerCase()) throw crossSite();
}

function crossSite(): AppError {
  return new AppError("forbidden:cross_site", "This request came from another site, so it was refused. Use Arbor itself, or call the API with an access token.");
}

/**
 * The request body, read up to `maxBytes` and no further: a declared
 * Content-Length over the limit is refused before reading, and a body that
 * streams past it is cut off, so an oversized request is never buffered.
 */
export async function readCappedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => new AppError("too_large:request_body", `This request is larger than the ${formatBytes(maxBytes)} this address accepts.`);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    parts.push(value);
  }
  const body = new Uint8Array(received);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}

/** Content-Type is application/json (any parameters, such as charset). */
export function isJsonContentType(headers: Headers): boolean {
  const type = headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}

/**
 * A JSON body: Content-Type must say application/json (a cross-site form can
 * only send text/plain, urlencoded or multipart without a preflight), then
 * the capped bytes are parsed.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (!isJsonContentType(request.headers)) {
    throw new AppError("unsupported_media_type:json", "Send this request as JSON, with the header Content-Type: application/json.");
  }
  const bytes = await readCappedBody(request, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError("bad_request:json", "The request body is not valid JSON.");
  }
}
