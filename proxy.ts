import { type NextRequest, NextResponse } from "next/server";

/**
 * Pass the requested path to server components, so a signed-out visitor who is
 * sent to /sign-in comes back to where they were going. No auth decisions here:
 * those live in layouts, procedures and Route Handlers.
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-arbor-path", request.nextUrl.pathname + request.nextUrl.search);
  const response = NextResponse.next({ request: { headers } });
  // Share links carry their token in the path: a crawler that finds one must not index or follow it.
  if (request.nextUrl.pathname.startsWith("/share/")) response.headers.set("X-Robots-Tag", "noindex, nofollow, noarchive");
  return response;
}

export const config = { matcher: ["/((?!api|_next/static|_next/image|favicon.ico).*)"] };
