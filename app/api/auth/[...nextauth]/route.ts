import { type NextRequest, NextRequest as Rebuilt } from "next/server";
import { handlers } from "@/server/auth/config";
import { errorResponse } from "@/server/errors";
import { assertSameOrigin, BODY_LIMITS, readCappedBody } from "@/server/security/request-guard";

export const { GET } = handlers;

/**
 * Auth.js's own POSTs (sign-out, the client's sign-in): from this site only, and the form read within a
 * small cap before Auth.js parses it. The OAuth providers configured (GitHub, Google) call back with GET.
 */
export async function POST(request: NextRequest): Promise<Response> {
  try {
    assertSameOrigin(request.headers);
    const body = await readCappedBody(request, BODY_LIMITS.auth);
    return handlers.POST(new Rebuilt(request.url, { method: "POST", headers: request.headers, body: body.byteLength ? body : null }));
  } catch (error) {
    return errorResponse(error);
  }
}
