import "server-only";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { getEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { refusalReason } from "@/server/knowledge/address-policy";
import { UrlRefusedError, vetUrl } from "@/server/knowledge/fetch-url";

/**
 * A provider's base URL passes the same address guard as fetching a URL into
 * the vault: http(s) only, no credentials in it, and every address its host
 * resolves to must be public — unless the operator named the host (or
 * host:port) in ARBOR_PROVIDER_ALLOWED_HOSTS, for an in-house model server.
 * @see docs/models.md#custom-providers
 */
export async function vetProviderUrl(raw: string): Promise<{ url: URL; address: string; family: number }> {
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw.trim());
  } catch {
    // vetUrl words it
  }
  const allowed = parsed ? operatorAllows(parsed) : false;
  try {
    return await vetUrl(raw, { policy: allowed ? () => null : refusalReason });
  } catch (error) {
    if (error instanceof UrlRefusedError) {
      const hint = /address/.test(error.message) ? " An operator can allow an in-house host with ARBOR_PROVIDER_ALLOWED_HOSTS." : "";
      throw new AppError("bad_request:provider_url", `${error.message.replace(/^Refused to fetch/, "Refused to use").replace("can be fetched", "can be used")}${hint}`);
    }
    throw error;
  }
}

export function allowedProviderHosts(): string[] {
  return (getEnv().ARBOR_PROVIDER_ALLOWED_HOSTS ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** "models.internal" allows that host on any port; "127.0.0.1:4060" only that port. */
function operatorAllows(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowedProviderHosts().some((entry) => entry === host || entry === `${host}:${port}`);
}

/**
 * A fetch for calls to a provider: each request's URL is vetted again and the
 * connection goes to the address that was vetted (a second DNS answer cannot
 * swap in a private one), redirects are refused rather than followed (a
 * public server must not bounce the call inward), and it keeps streaming
 * bodies streaming. The AI SDK and the model discovery both use it.
 */
export const guardedFetch: typeof fetch = async (input, init) => {
  const target = input instanceof Request ? input.url : String(input);
  const vetted = await vetProviderUrl(target);
  const headers = new Headers(input instanceof Request ? input.headers : undefined);
  for (const [key, value] of new Headers(init?.headers)) headers.set(key, value);
  const body = init?.body ?? null;
  if (body !== null && typeof body !== "string") throw new Error("provider calls send JSON text bodies only");
  const client = vetted.url.protocol === "https:" ? https : http;
  const signal = init?.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    const req = client.request(
      vetted.url,
      {
        method: init?.method ?? "GET",
        headers: Object.fromEntries(headers.entries()),
        signal,
        lookup: (_hostname, opts, callback) => {
          if ((opts as { all?: boolean }).all) callback(null, [{ address: vetted.address, family: vetted.family }] as never);
          else callback(null, vetted.address, vetted.family);
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          reject(new AppError("bad_request:provider_url", `The provider answered with a redirect (${status}) to ${res.headers.location ?? "elsewhere"}; use the final address as its base URL.`));
          return;
        }
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
          else if (value !== undefined) responseHeaders.set(key, value);
        }
        const stream = status === 204 ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, statusText: res.statusMessage, headers: responseHeaders }));
      },
    );
    req.on("error", reject);
    req.end(body ?? undefined);
  });
};
