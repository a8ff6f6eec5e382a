import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { chatForPost, parseChatPost } from "@/server/chat/api-request";
import { startChatTurn } from "@/server/chat/stream/start";
import { sseHeaders, tailLedger } from "@/server/chat/stream/reader";
import { openReader } from "@/server/chat/stream/readers";
import { errorResponse } from "@/server/errors";
import { assertSameOrigin, BODY_LIMITS, readJsonBody } from "@/server/security/request-guard";
import { identifyRequest } from "@/server/tokens/request-identity";

/** Long cloud answers; the producer itself is detached and outlives this response anyway. */
export const maxDuration = 300;
export const dynamic = "force-dynamic";

/**
 * POST /api/chat: same site → who (session cookie, or `Authorization: Bearer` token with the chat scope)
 * → the body, capped and JSON only, validated → role, budget, persist (startChatTurn: the same checks
 * for both) → tail the ledger as SSE. Nobody can make us buffer a body before we know who they are.
 * Without a chatId but with a projectId it starts a new chat (X-Chat-Id says which). See docs/api.md.
 */
export async function POST(request: Request): Promise<Response> {
  let chatId: string | null = null;
  try {
    assertSameOrigin(request.headers);
    const db = await getDb();
    const who = await identifyRequest(db, { headers: request.headers, scope: "chat", session: getSessionUser });
    const post = parseChatPost(await readJsonBody(request, BODY_LIMITS.chat));
    chatId = await chatForPost(db, { who, post });
    const turn = await startChatTurn(db, { userId: who.userId, request: { ...post.request, chatId } });
    const afterSeq = lastEventId(request);
    const reader = await openReader(db, { streamId: turn.stream.id, userId: who.userId });
    return new Response(tailLedger(db, { streamId: turn.stream.id, afterSeq, reader }), { headers: { ...sseHeaders(turn.stream.id), "X-Chat-Id": chatId } });
  } catch (error) {
    const refused = errorResponse(error);
    // A new chat was made before its first turn was refused (a spent budget, say): say which, so the page can show it.
    if (chatId) refused.headers.set("X-Chat-Id", chatId);
    return refused;
  }
}

function lastEventId(request: Request): number {
  const raw = request.headers.get("last-event-id");
  const n = raw ? Number.parseInt(raw, 10) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}
