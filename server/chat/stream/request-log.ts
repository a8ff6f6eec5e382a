import "server-only";
import type { RequestLogEntry } from "@/server/request-logs/logs";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { redactedBodies } from "@/server/request-logs/logs";
import type { AnswerRun } from "./answer-run";

/**
 * The answer's upstream call as a row of the owner's request log, once it has
 * ended (null = nothing to log). The vault responder is Arbor's own code, not
 * an upstream call: not logged. The bodies go with it, redacted; the insert
 * keeps them only if the owner turned that on.
 */
export function upstreamCallEntry(run: AnswerRun): RequestLogEntry | null {
  const outcome = run.outcome;
  if (!outcome || run.gone || (run.tier === "local" && run.model === VAULT_RESPONDER_MODEL)) return null;
  return {
    projectId: run.projectId,
    actorId: run.actorId,
    chatId: run.stream.chatId,
    messageId: run.assistantId,
    agentName: run.agent?.name ?? null,
    provider: run.providerName ?? (run.tier === "cloud" ? "anthropic" : "local"),
    model: run.model,
    tier: run.tier,
    status: outcome.status,
    ttftMs: run.firstTokenAt === null ? null : run.firstTokenAt - run.started,
    latencyMs: outcome.latencyMs,
    tokensIn: run.usage.tokensIn,
    tokensOut: run.usage.tokensOut,
    costMicros: outcome.costMicros,
    error: outcome.error,
    ...redactedBodies({ request: run.upstreamRequest, response: run.text, secrets: run.upstreamSecrets }),
  };
}
