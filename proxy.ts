import { type NextRequest, NextResponse } from "next/server";

/**
 * Pass the requested path to server components, so a signed-out visitor who is
 * sent to /sign-in comes back to where they were going. No auth decisions here:
 * those live in layouts, procedures and Route Handlers.
 */
export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set("x-arbor-path", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/((?!api|_next/static|_next/image|favicon.ico).*)"] };
