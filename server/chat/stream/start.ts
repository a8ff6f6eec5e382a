import "server-only";
import type { Db } from "@/db/client";
import type { Message } from "@/db/schema";
import type { ChatRequest } from "@/lib/chat-protocol";
import { cloudNotConfiguredError } from "@/server/ai/escalation-status";
import { type ChatTurn, estimateTokens } from "@/server/ai/types";
import { type CloudHoldPlan, holdInStatement, planCloudHold, readCloudHoldFacts, reservationOf, TierChanged } from "@/server/billing/guard";
import { AppError } from "@/server/errors";
import { titleChatInBackground } from "../auto-title";
import { readPath } from "../tree";
import { findStreamByRequest, prepareTurn, replayOf, type Turn } from "../turns";
import { loadTurnAccess, type TurnAccess } from "./access";
import { billingRequestId, DEFAULT_MAX_TOKENS, launchProducer } from "./producer";
import { producerDone } from "./registry";
import { retrieveForTurn } from "./retrieval";

/** Room for the retrieved sources in the pre-call estimate; settle uses the real count. */
const SOURCES_TOKEN_ALLOWANCE = 4_000;
/** Planning again after the payer's tier changed under us, at most this often. */
const TIER_RETRIES = 2;

/**
 * The domain half of POST /api/chat: ONE read (access, replay, target branch,
 * budget facts) → the branch so far and retrieval alongside → ONE statement
 * that writes the turn and holds the budget, all or nothing → produce (detached).
 * Returns the stream to tail. Everything here is on the path to the first
 * token, so each step is as few statements as it can be.
 */
export async function startChatTurn(db: Db, { userId, request }: { userId: string; request: ChatRequest }): Promise<Turn> {
  const cloud = request.tier === "cloud" ? { model: request.model ?? null } : null;
  const access = await loadTurnAccess(db, { chatId: request.chatId, userId, requestId: request.requestId, turn: request, cloud });
  if (access.existingStreamId) {
    const existing = await findStreamByRequest(db, { by: userId, requestId: request.requestId });
    if (existing) return replayOf(existing, request.chatId);
  }
  if (request.model && request.tier !== "cloud") throw new AppError("bad_request:model", "A model can only be chosen for the cloud tier.");

  const projectId = access.projectId;
  const maxTokens = request.maxTokens ?? DEFAULT_MAX_TOKENS;
  // The branch so far: the ancestors of the message followed (for re-answering, the question is its last).
  const from = request.answerTo ?? request.parentId ?? null;
  const lineage = from ? readPath(db, { chatId: request.chatId, tipMessageId: from }) : Promise.resolve([]);
  lineage.catch(() => {}); // awaited below; a failure surfaces there, not as an unhandled rejection
  const question = request.content != null ? Promise.resolve(request.content.trim()) : lineage.then((path) => path.at(-1)?.content ?? "");
  // Retrieval depends only on the question: it runs while the turn is written (another connection on Postgres).
  const retrieval = question
    .catch(() => "")
    .then((text) => retrieveForTurn(db, { projectId, question: text, hasSources: access.hasSources }));

  let reservationId: string | null = null;
  let plan: CloudHoldPlan | null = null;
  let turn: Turn;
  for (let attempt = 0; ; attempt++) {
    plan = request.tier === "cloud" ? await planCloudTurn(db, access, { userId, request, maxTokens, lineage, fresh: attempt === 0 }) : null;
    const hold = plan ? holdInStatement(db, plan) : null;
    try {
      turn = await prepareTurn(db, {
        ...request,
        projectId,
        by: userId,
        kind: request.answerTo ? (request.tier === "cloud" ? "escalate" : "regenerate") : "send",
        knownNew: true,
        target: access.target,
        // The budget is held in the turn's own statement: a refused hold leaves no turn, a refused turn holds nothing.
        alsoInStatement: hold
          ? {
              ...hold,
              accept: (row) => {
                reservationId = hold.reservationId(row);
              },
            }
          : undefined,
      });
      break;
    } catch (error) {
      if (error instanceof TierChanged && attempt < TIER_RETRIES) continue;
      throw error;
    }
  }
  if (turn.replay) return turn;

  launchProducer(db, {
    stream: turn.stream,
    projectId,
    requested: request.tier,
    model: plan?.model ?? request.model ?? null,
    maxTokens: request.maxTokens ?? undefined,
    reservation: plan && reservationId ? reservationOf(plan, reservationId) : null,
    settings: access.settings,
    preferences: access.preferences,
    history: lineage.then((path) => historyOf(request.answerTo ? path.slice(0, -1) : path)),
    question: turn.question,
    retrieval,
  });
  if (turn.newTitle) {
    titleChatInBackground(db, { chatId: request.chatId, heuristic: turn.newTitle, firstMessage: turn.question, after: producerDone(turn.stream.id) });
  }
  return turn;
}

/**
 * The cloud call's budget hold, worked out from the facts read with the
 * access check (who pays, at which tier, the model's price); a retry after the
 * payer's tier changed reads them again.
 */
async function planCloudTurn(
  db: Db,
  access: TurnAccess,
  { userId, request, maxTokens, lineage, fresh }: { userId: string; request: ChatRequest; maxTokens: number; lineage: Promise<Message[]>; fresh: boolean },
): Promise<CloudHoldPlan> {
  const projectId = access.projectId;
  const facts = fresh && access.cloud ? access.cloud : await readCloudHoldFacts(db, { projectId, model: access.cloud?.model ?? null });
  if (!facts.cloudConfigured) throw cloudNotConfiguredError();
  const path = await lineage;
  const text = path.map((m) => m.content).join("\n") + (request.content ?? "");
  return planCloudHold(db, facts, {
    projectId,
    actorId: userId,
    requestId: billingRequestId(userId, request.requestId),
    maxTokens,
    promptTokens: estimateTokens(text) + SOURCES_TOKEN_ALLOWANCE + 300,
  });
}

/** What the model sees of the branch before the question: finished, non-empty turns. */
function historyOf(path: Message[]): ChatTurn[] {
  return path.filter((m) => m.content.trim() && m.status !== "streaming").map((m) => ({ role: m.role, content: m.content }));
}
