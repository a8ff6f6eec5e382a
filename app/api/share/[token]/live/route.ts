import { getDb } from "@/db/client";
import { errorResponse } from "@/server/errors";
import { clientAddress } from "@/server/security/client-address";
import { openShareFeed } from "@/server/share/live";

export const maxDuration = 300;
export const dynamic = "force-dynamic";

/**
 * GET /api/share/<token>/live: a live share link's changes as SSE — new
 * messages, and an answer's text as it is written, from its stream ledger.
 * No sign-in: the token is the permission, checked (and guesses limited) as
 * for the page. Snapshot links, ended and expired ones are refused.
 */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  try {
    const { token } = await params;
    const db = await getDb();
    const body = await openShareFeed(db, { token, ip: clientAddress(request.headers) });
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
        "X-Robots-Tag": "noindex, nofollow, noarchive",
        "Referrer-Policy": "no-referrer",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
