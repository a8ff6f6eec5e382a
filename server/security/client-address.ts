import "server-only";
import { getEnv } from "@/server/env";

/**
 * The address a request came from, for per-address limits and the loopback
 * check. Only the proxies we were told about are believed: each appends the
 * address it was reached from to X-Forwarded-For, so with `hops` proxies in
 * front the client is the hops-th entry from the right, and anything to its
 * left was written by the client. With no proxy (0) Next.js itself puts the
 * socket's address there, but only when the client sent no X-Forwarded-For
 * of its own, so the rightmost entry is the best there is (see SECURITY.md).
 * X-Real-IP is never read: any client can send it.
 */
export function clientAddressFrom(headers: Headers, hops: number): string {
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (chain.length === 0) return "unknown";
  const index = Math.max(0, chain.length - Math.max(1, hops));
  return normalizeAddress(chain[index] ?? "unknown");
}

/** The client address under the configured TRUSTED_PROXY_HOPS. */
export function clientAddress(headers: Headers): string {
  return clientAddressFrom(headers, getEnv().TRUSTED_PROXY_HOPS);
}

/** "::ffff:10.0.0.1" and "10.0.0.1" are one client; a port some proxies add is not part of it. */
function normalizeAddress(address: string): string {
  let a = address.toLowerCase();
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") > 0 ? a.indexOf("]") : undefined);
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  if (a.startsWith("::ffff:") && a.includes(".")) a = a.slice("::ffff:".length);
  return a;
}

export function isLoopback(address: string): boolean {
  return address === "::1" || /^127\.\d+\.\d+\.\d+$/.test(address);
}
