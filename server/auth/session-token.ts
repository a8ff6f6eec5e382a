import "server-only";
import { getToken } from "next-auth/jwt";

/**
 * The session id (`sid`) in the request's Auth.js session cookie, decoded as
 * Auth.js's own session endpoint decodes it — the same cookie name (the
 * `__Secure-` one when AUTH_URL is https, as Auth.js chooses), the cookie
 * name as salt, the same secret, expiry checked — and nothing else.
 *
 * Why not `auth()`: in a Route Handler or page it runs the whole session
 * endpoint per call — the lazy config (providers, adapter), its checks, a
 * Request and Response, the jwt and session callbacks, and it encrypts a
 * refreshed token that nobody receives (the cookie it would set is dropped
 * outside Auth.js's own routes). That was a few milliseconds on the path to
 * every chat's first token. Only the cookie is read, so an
 * `Authorization: Bearer` API token is never mistaken for a session JWT.
 */
export async function sessionIdFromCookies({ cookie, authUrl, secret }: { cookie: string | null; authUrl: string; secret: string }): Promise<string | null> {
  if (!cookie) return null;
  const secureCookie = new URL(authUrl).protocol === "https:";
  const token = await getToken({ req: { headers: new Headers({ cookie }) }, secret, secureCookie, logger: { error: () => {}, warn: () => {}, debug: () => {} } as never });
  return typeof token?.sid === "string" ? token.sid : null;
}
