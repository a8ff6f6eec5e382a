import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { stopForCaller } from "@/server/chat/api-request";
import { errorResponse } from "@/server/errors";
import { assertSameOrigin, BODY_LIMITS, readCappedBody } from "@/server/security/request-guard";
import { identifyRequest } from "@/server/tokens/request-identity";

export const dynamic = "force-dynamic";

/** POST /api/chat/<streamId>/stop: Stop an answer (editor; session cookie or a token with the chat scope). See docs/api.md. */
export async function POST(request: Request, { params }: { params: Promise<{ streamId: string }> }): Promise<Response> {
  try {
    assertSameOrigin(request.headers);
    const { streamId } = await params;
    const db = await getDb();
    const who = await identifyRequest(db, { headers: request.headers, scope: "chat", session: getSessionUser });
    // Stop takes no body; whatever is sent is drained within a small cap rather than left unread.
    await readCappedBody(request, BODY_LIMITS.stop);
    return Response.json(await stopForCaller(db, { who, streamId }));
  } catch (error) {
    return errorResponse(error);
  }
}
