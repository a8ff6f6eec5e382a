import { type NextRequest, NextResponse } from "next/server";
import { contentSecurityPolicy, makeNonce } from "@/lib/content-security";

/**
 * Every page: a fresh CSP nonce (lib/content-security.ts), handed to Next.js
 * on the request's own Content-Security-Policy header so it can stamp its
 * scripts, and sent back to the browser; and the requested path for server
 * components, so a signed-out visitor who is sent to /sign-in comes back to
 * where they were going. No auth decisions here: those live in layouts,
 * procedures and Route Handlers. The headers that do not vary (nosniff,
 * referrer and permissions policies, and the API's own CSP) are in
 * next.config.mjs, which also covers what this matcher skips.
 */
export function proxy(request: NextRequest) {
  const https = request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  const csp = contentSecurityPolicy({ nonce: makeNonce(), dev: process.env.NODE_ENV === "development", https });
  const headers = new Headers(request.headers);
  headers.set("x-arbor-path", request.nextUrl.pathname + request.nextUrl.search);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  // A random id per browser, so a sign-in can tell a browser the account knows from a new one (server/auth/open-session.ts).
  if (!request.cookies.get("arbor-browser")) {
    response.cookies.set("arbor-browser", makeBrowserId(), { httpOnly: true, sameSite: "lax", secure: https, path: "/", maxAge: 400 * 24 * 60 * 60 });
  }
  // Share links carry their token in the path: a crawler that finds one must not index or follow it.
  if (request.nextUrl.pathname.startsWith("/share/")) response.headers.set("X-Robots-Tag", "noindex, nofollow, noarchive");
  return response;
}

function makeBrowserId(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export const config = { matcher: ["/((?!api|_next/static|_next/image|favicon.ico).*)"] };
