import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { findReadableStream } from "@/server/chat/stream/resume";
import { sseHeaders, tailLedger } from "@/server/chat/stream/reader";
import { openReader } from "@/server/chat/stream/readers";
import { errorResponse } from "@/server/errors";
import { assertTokenMayUseChat, identifyRequest } from "@/server/tokens/request-identity";

export const maxDuration = 300;
export const dynamic = "force-dynamic";

/**
 * GET /api/chat/<streamId> with Last-Event-ID: resume or watch from the next event. Unknown or foreign → 404.
 * A session cookie or a Bearer token with the read (or chat) scope; see docs/api.md.
 */
export async function GET(request: Request, { params }: { params: Promise<{ streamId: string }> }): Promise<Response> {
  try {
    const { streamId } = await params;
    const db = await getDb();
    const who = await identifyRequest(db, { headers: request.headers, scope: "read", session: getSessionUser });
    const stream = await findReadableStream(db, { streamId, userId: who.userId });
    await assertTokenMayUseChat(db, who, stream.chatId);
    const raw = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
    const n = raw ? Number.parseInt(raw, 10) : 0;
    const reader = await openReader(db, { streamId: stream.id, userId: who.userId });
    return new Response(tailLedger(db, { streamId: stream.id, afterSeq: Number.isFinite(n) && n > 0 ? n : 0, reader }), { headers: sseHeaders(stream.id) });
  } catch (error) {
    return errorResponse(error);
  }
}
