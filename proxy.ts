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
  return response;
}

export const config = { matcher: ["/((?!api|_next/static|_next/image|favicon.ico).*)"] };
