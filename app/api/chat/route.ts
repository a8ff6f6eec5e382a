import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { chatRequestSchema } from "@/lib/chat-protocol";
import { startChatTurn } from "@/server/chat/stream/start";
import { sseHeaders, tailLedger } from "@/server/chat/stream/reader";
import { AppError, errorResponse } from "@/server/errors";

/** Long cloud answers; the producer itself is detached and outlives this response anyway. */
export const maxDuration = 300;
export const dynamic = "force-dynamic";

/** POST /api/chat (DESIGN §5): validate → session → role, budget, persist (startChatTurn) → tail the ledger as SSE. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = chatRequestSchema.safeParse(await request.json().catch(() => null));
    if (!body.success) {
      const fields = body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
      throw new AppError("bad_request:chat", `Invalid chat request — ${fields}`);
    }
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized:session", "Please sign in first.");
    const db = await getDb();
    const turn = await startChatTurn(db, { userId: user.id, request: body.data });
    const afterSeq = lastEventId(request);
    return new Response(tailLedger(db, { streamId: turn.stream.id, afterSeq }), { headers: sseHeaders(turn.stream.id) });
  } catch (error) {
    return errorResponse(error);
  }
}

function lastEventId(request: Request): number {
  const raw = request.headers.get("last-event-id");
  const n = raw ? Number.parseInt(raw, 10) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}
