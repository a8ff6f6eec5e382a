import "server-only";
import type { Db } from "@/db/client";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { recordRequestLog } from "@/server/request-logs/logs";
import type { AnswerRun } from "./answer-run";

/**
 * The answer's upstream call in the owner's request log, once it has ended.
 * The vault responder is Arbor's own code, not an upstream call: not logged.
 */
export async function logUpstreamCall(db: Db, run: AnswerRun): Promise<void> {
  const outcome = run.outcome;
  if (!outcome || run.gone || (run.tier === "local" && run.model === VAULT_RESPONDER_MODEL)) return;
  await recordRequestLog(db, {
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
  });
}
