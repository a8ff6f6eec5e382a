import "server-only";
import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import type { Message } from "@/db/schema";
import type { ChatRequest } from "@/lib/chat-protocol";
import { type ClaudeRequest, claudeUsageBound } from "@/server/ai/claude";
import type { Joins } from "@/server/ai/context";
import { cloudNotConfiguredError } from "@/server/ai/escalation-status";
import { readCloudHoldFacts } from "@/server/billing/hold-facts";
import { type CloudHoldPlan, planCloudHold, resolveCloudModel, TierChanged } from "@/server/billing/hold-plan";
import { holdInStatement } from "@/server/billing/hold-statement";
import { reservationOf } from "@/server/billing/reserve";
import { AppError } from "@/server/errors";
import { isProviderModelKey } from "@/server/providers/models";
import { titleChatInBackground } from "../auto-title";
import { readLineage } from "../lineage";
import { planMerge } from "../merge";
import { findStreamByRequest, prepareTurn, replayOf, type Turn } from "../turns";
import { agentScope, applyAgent, loadTurnAgent, settingsWithAgent } from "@/server/agents/turn-agent";
import { loadTurnAccess, type TurnAccess } from "./access";
import { cloudTurnRequest, historyOf } from "./cloud-request";
import { billingRequestId, DEFAULT_MAX_TOKENS, launchProducer } from "./producer";
import { answerFinished } from "./registry";
import { type Retrieval, retrieveForTurn } from "./retrieval";

/** Planning again after the payer's tier changed under us, at most this often. */
const TIER_RETRIES = 2;

/**
 * The domain half of POST /api/chat: ONE read (access, replay, target branch,
 * budget facts) → the branch so far and retrieval alongside → for a cloud
 * turn, the exact request Claude will be sent, and the hold that bounds its
 * charge → ONE statement that writes the turn and holds the budget, all or
 * nothing → produce (detached). Returns the stream to tail. Everything here is
 * on the path to the first token, so each step is as few statements as it can be.
 */
export async function startChatTurn(db: Db, { userId, request }: { userId: string; request: ChatRequest }): Promise<Turn> {
  const cloudModel = request.tier === "cloud" ? { model: request.model ?? null } : null;
  const access = await loadTurnAccess(db, { chatId: request.chatId, userId, requestId: request.requestId, turn: request, cloud: cloudModel });
  if (access.existingStreamId) {
    const existing = await findStreamByRequest(db, { by: userId, requestId: request.requestId });
    if (existing) return replayOf(existing, request.chatId);
  }
  if (request.model && request.tier !== "cloud") throw new AppError("bad_request:model", "A model can only be chosen for the cloud tier.");

  const projectId = access.projectId;
  // A project agent (the turn's, else the chat's) fills in what the person left to defaults; none costs no query.
  const agent = await loadTurnAgent(db, { projectId, agentId: request.agentId ?? access.chatAgentId });
  const shaped = applyAgent(request, agent);
  const settings = settingsWithAgent(access.settings, agent);
  const maxTokens = shaped.maxTokens ?? DEFAULT_MAX_TOKENS;
  // A merge joins the branch the turn follows with a second one: checked before anything is read for the model.
  const merge = request.mergeBranchId
    ? await planMerge(db, { chatId: request.chatId, target: access.target, parentId: request.parentId, secondBranchId: request.mergeBranchId })
    : null;
  if (merge && request.content == null) throw new AppError("bad_request:merge", "A merge needs its message: say what to do with the two lines.");
  // The branch so far: the ancestors of the message followed (for re-answering, the question is its last);
  // for a merge, the union of both lines (server/chat/lineage.ts).
  const from = request.answerTo ?? request.parentId ?? null;
  const tips = merge ? [merge.first.tipMessageId, merge.second.tipMessageId] : from ? [from] : [];
  const lineage = readLineage(db, { chatId: request.chatId, tips });
  const joins = merge ? { first: merge.first.title, second: merge.second.title } : null;
  lineage.catch(() => {}); // awaited below; a failure surfaces there, not as an unhandled rejection
  const question = request.content != null ? Promise.resolve(request.content.trim()) : lineage.then((path) => path.at(-1)?.content ?? "");
  // Retrieval depends only on the question: it runs while the turn is written (another connection on Postgres).
  const retrieval = question
    .catch(() => "")
    .then((text) => retrieveForTurn(db, { projectId, question: text, hasSources: access.hasSources, sourceIds: agentScope(agent) }));

  // made here, so the hold (planned before the turn's statement) can record the stream it belongs to
  const streamId = randomUUID();
  let reservationId: string | null = null;
  let cloud: { plan: CloudHoldPlan; request: ClaudeRequest } | null = null;
  let turn: Turn;
  for (let attempt = 0; ; attempt++) {
    cloud =
      shaped.tier === "cloud"
        ? await planCloudTurn(db, { ...access, settings }, {
            userId,
            request: { ...request, tier: shaped.tier, model: shaped.model },
            streamId,
            maxTokens,
            temperature: agent?.temperature ?? null,
            lineage,
            retrieval,
            joins,
            // the facts read with the access check were for the model the person asked for, not the agent's
            fresh: attempt === 0 && shaped.model === (request.model ?? null),
          })
        : null;
    const hold = cloud ? holdInStatement(db, cloud.plan) : null;
    try {
      turn = await prepareTurn(db, {
        ...request,
        projectId,
        by: userId,
        kind: request.answerTo ? (shaped.tier === "cloud" ? "escalate" : "regenerate") : "send",
        knownNew: true,
        target: access.target,
        streamId,
        merge,
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
    requested: shaped.tier,
    model: cloud?.plan.model ?? shaped.model ?? shaped.fallbackModel ?? null,
    maxTokens: shaped.maxTokens ?? undefined,
    temperature: agent?.temperature ?? null,
    agent,
    cloud: cloud && reservationId ? { request: cloud.request, reservation: reservationOf(cloud.plan, reservationId) } : null,
    settings,
    preferences: access.preferences,
    history: lineage.then((path) => historyOf(request.answerTo ? path.slice(0, -1) : path)),
    joins,
    question: turn.question,
    retrieval,
  });
  if (turn.newTitle) {
    titleChatInBackground(db, { chatId: request.chatId, heuristic: turn.newTitle, firstMessage: turn.question, after: answerFinished(turn.stream.id) });
  }
  return turn;
}

/**
 * A cloud turn's request — the system prompt, constraints and preferences,
 * the branch so far, the retrieved sources and the question, exactly as
 * Claude will get them — and the hold that bounds its charge (who pays, at
 * which tier, the model's price, the request's bytes and max_tokens). The
 * facts were read with the access check; a retry after the payer's tier
 * changed reads them again.
 */
async function planCloudTurn(
  db: Db,
  access: TurnAccess,
  {
    userId,
    request,
    streamId,
    maxTokens,
    temperature,
    lineage,
    retrieval,
    joins,
    fresh,
  }: {
    userId: string;
    request: ChatRequest;
    streamId: string;
    maxTokens: number;
    temperature: number | null;
    lineage: Promise<Message[]>;
    retrieval: Promise<Retrieval>;
    joins: Joins | null;
    fresh: boolean;
  },
): Promise<{ plan: CloudHoldPlan; request: ClaudeRequest }> {
  const projectId = access.projectId;
  const facts = fresh && access.cloud ? access.cloud : await readCloudHoldFacts(db, { projectId, model: request.model ?? access.cloud?.model ?? null });
  // A project's own provider needs no Anthropic key; every other cloud model does.
  if (!facts.cloudConfigured && !isProviderModelKey(request.model ?? facts.model)) throw cloudNotConfiguredError();
  const [path, { chunks }, model] = await Promise.all([lineage, retrieval, resolveCloudModel(db, facts)]);
  const upstream = cloudTurnRequest({ settings: access.settings, preferences: access.preferences, path, chunks, content: request.content, answerTo: request.answerTo, model, maxTokens, temperature, joins });
  const plan = await planCloudHold(db, facts, {
    projectId,
    actorId: userId,
    requestId: billingRequestId(userId, request.requestId),
    streamId,
    model,
    bound: claudeUsageBound(upstream),
  });
  return { plan, request: upstream };
}
