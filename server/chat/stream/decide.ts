import "server-only";
import type { Db } from "@/db/client";
import type { AgentSnapshot, ProjectSettings } from "@/db/schema";
import { type ClaudeRequest, claudeRequest, claudeUsageBound } from "@/server/ai/claude";
import { buildCloudContext, type Joins, type Preferences } from "@/server/ai/context";
import { cloudConfigured } from "@/server/ai/escalation-status";
import { defaultCloudModel } from "@/server/ai/model-prices";
import { decideTier, type RequestedTier } from "@/server/ai/policy";
import type { ChatTurn } from "@/server/ai/types";
import { type CloudReservation, reserveCloudBudget } from "@/server/billing/reserve";
import { type LocalTier, resolveLocalTier } from "@/server/devices/local-tier";
import { routeAroundDevice } from "@/server/devices/routing";
import { isAppError } from "@/server/errors";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";
import { isProviderModelKey } from "@/server/providers/models";
import type { AnswerRun } from "./answer-run";
import type { Retrieval } from "./retrieval";

export const DEFAULT_MAX_TOKENS = 2048;

/** What the handler already read or placed, so the first token waits on no further round trip. */
export type TurnInputs = {
  projectId: string;
  requested: RequestedTier;
  model?: string | null;
  maxTokens?: number;
  /** an agent's temperature, sent to every tier that takes one */
  temperature?: number | null;
  /** the project agent answering, recorded on the answer as it was used */
  agent?: AgentSnapshot | null;
  settings: ProjectSettings;
  preferences: Preferences;
  /** the branch before the question (a failed read fails the answer, not the handler) */
  history: Promise<ChatTurn[]>;
  question: string;
  /** a merge: the two branches `history` joins (the model is told) */
  joins?: Joins | null;
  /** started as soon as the question was known */
  retrieval: Promise<Retrieval>;
  /** an explicit cloud turn: the exact request and the hold the handler placed for it */
  cloud?: { request: ClaudeRequest; reservation: CloudReservation } | null;
};

/** The context every tier answers from, and — when the answer goes to the cloud — the request and its hold. */
export type Route = {
  context: { system: string; messages: ChatTurn[] };
  chunks: RetrievedChunk[];
  cloud: { request: ClaudeRequest; reservation: CloudReservation } | null;
  /** the cloud can be asked at all (a key is configured): auto may still escalate after a local failure */
  cloudConfigured: boolean;
  /** who answers when the answer stays local: a device, the server's LOCAL_MODEL_URL, or the vault responder */
  local: LocalTier;
};

/**
 * First stage of an answer: read the branch and the vault's evidence, decide
 * the tier by the project's policy, and — for a cloud answer the handler did
 * not already hold for — reserve the budget for the exact request that will
 * be sent. A hold refused under `auto` falls back to the local tier with the
 * reason in the trace; under `cloud` it fails the answer.
 */
export async function decideTierAndHold(db: Db, run: AnswerRun, inputs: TurnInputs): Promise<Route> {
  const { settings, preferences, question } = inputs;
  run.emit({ type: "metadata", phase: "analyzing", agent: "arbor", userMessageId: run.userMessageId, assistantMessageId: run.assistantId, branchId: run.stream.branchId ?? undefined });
  const held = inputs.cloud ?? null;
  // A turn held for the cloud is answered by the cloud (requested so; there is no local fallback): no device to look up.
  const localTier: Promise<LocalTier> = held ? Promise.resolve({ kind: "vault", model: VAULT_RESPONDER_MODEL }) : resolveLocalTier(db, { projectId: inputs.projectId });
  // The cloud can be asked when a key is configured — or when the model it would be asked with is the project's own
  // provider's, which needs no Anthropic key at all.
  const cloudModel = inputs.model ?? settings.defaultCloudModel ?? null;
  const configured =
    inputs.requested === "local" || held ? Boolean(held) : isProviderModelKey(cloudModel) || (await cloudConfigured(db, { projectId: inputs.projectId }));
  const history = await inputs.history;

  run.emit({ type: "metadata", phase: "retrieving", agent: "retriever" });
  const retrieval = await inputs.retrieval;
  const chunks = retrieval.chunks;
  const topRelevance = chunks[0]?.relevance ?? 0;
  run.steps.push({
    messageId: run.assistantId,
    kind: "retrieval",
    durationMs: retrieval.ms,
    detail: { query: question.slice(0, 500), count: chunks.length, topRelevance, chunks: chunks.map((c) => ({ chunkId: c.chunkId, relevance: c.relevance })), error: retrieval.error },
  });
  // Built only when a tier needs it: a cloud turn the handler held for already carries its exact request.
  let built: Route["context"] | null = null;
  const contextOf = () => (built ??= buildCloudContext({ settings, preferences, history, question, chunks, joins: inputs.joins }));

  const routed = routeAroundDevice({
    decision: decideTier({ requested: inputs.requested, policy: settings.escalationPolicy, topRelevance, cloudConfigured: configured }),
    local: await localTier,
    requested: inputs.requested,
    policy: settings.escalationPolicy,
    cloudConfigured: configured,
  });
  let decision = routed.decision;
  let cloud = held;
  if (decision.tier === "cloud" && !cloud) {
    try {
      cloud = await holdForCloud(db, run, inputs, contextOf());
    } catch (error) {
      if (inputs.requested === "cloud" || !isAppError(error)) throw error;
      decision = { tier: "local", reason: `escalation skipped: ${error.message}` };
    }
  }
  run.steps.push({
    messageId: run.assistantId,
    kind: "escalation",
    detail: { requested: inputs.requested, policy: settings.escalationPolicy, topRelevance, decision: decision.tier, reason: decision.reason },
  });
  return {
    get context() {
      return contextOf();
    },
    chunks,
    cloud: decision.tier === "cloud" ? cloud : null,
    cloudConfigured: configured,
    local: routed.local,
  };
}

/** Reserves for the exact request the cloud will be sent (the producer's own holds: auto, and a local failure under auto). */
export async function holdForCloud(
  db: Db,
  run: AnswerRun,
  inputs: Pick<TurnInputs, "projectId" | "model" | "maxTokens" | "settings" | "temperature">,
  context: Route["context"],
): Promise<{ request: ClaudeRequest; reservation: CloudReservation }> {
  const model = inputs.model ?? inputs.settings.defaultCloudModel ?? (await defaultCloudModel(db));
  const request = claudeRequest({ model, ...context, maxTokens: inputs.maxTokens ?? DEFAULT_MAX_TOKENS, temperature: inputs.temperature });
  const reservation = await reserveCloudBudget(db, {
    projectId: inputs.projectId,
    actorId: run.actorId,
    requestId: run.requestId,
    streamId: run.stream.id,
    model,
    bound: claudeUsageBound(request),
  });
  run.reservation = reservation;
  return { request, reservation };
}
