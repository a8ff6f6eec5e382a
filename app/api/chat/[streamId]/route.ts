import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { findReadableStream } from "@/server/chat/stream/resume";
import { sseHeaders, tailLedger } from "@/server/chat/stream/reader";
import { AppError, errorResponse } from "@/server/errors";

export const maxDuration = 300;
export const dynamic = "force-dynamic";

/** GET /api/chat/<streamId> with Last-Event-ID: resume or watch from the next event. Unknown or foreign → 404. */
export async function GET(request: Request, { params }: { params: Promise<{ streamId: string }> }): Promise<Response> {
  try {
    const { streamId } = await params;
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized:session", "Please sign in first.");
    const db = await getDb();
    const stream = await findReadableStream(db, { streamId, userId: user.id });
    const raw = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId");
    const n = raw ? Number.parseInt(raw, 10) : 0;
    return new Response(tailLedger(db, { streamId: stream.id, afterSeq: Number.isFinite(n) && n > 0 ? n : 0 }), { headers: sseHeaders(stream.id) });
  } catch (error) {
    return errorResponse(error);
  }
}
