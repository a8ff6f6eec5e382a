import "server-only";
import type { Db } from "@/db/client";
import type { BillingTier, ProjectSettings } from "@/db/schema";
import { claudeUsageBound } from "@/server/ai/claude";
import { cloudNotConfiguredError } from "@/server/ai/escalation-status";
import { getPreferences } from "@/server/account/preferences";
import { readCloudHoldFacts } from "@/server/billing/hold-facts";
import { planCloudHold, resolveCloudModel } from "@/server/billing/hold-plan";
import { AppError, isAppError } from "@/server/errors";
import { agentScope, applyAgent, loadTurnAgent, settingsWithAgent } from "@/server/agents/turn-agent";
import { getChat } from "./chats";
import { assertUsableModel } from "@/server/ai/usable-model";
import { isProviderModelKey } from "@/server/providers/models";
import { cloudTurnRequest } from "./stream/cloud-request";
import { DEFAULT_MAX_TOKENS } from "./stream/producer";
import { retrieveForTurn } from "./stream/retrieval";
import { readLineage } from "./lineage";

export type HoldEstimate =
  /** the local tier answers: nothing is held or charged */
  | { kind: "free"; reason: "local" | "policy:manual" }
  /** what the budget guard would hold for this turn if it went to `model` now; `ifEscalated`: only if the auto policy sends it up */
  | { kind: "cloud"; model: string; amountMicros: bigint; billingTier: BillingTier; tokensIn: number; tokensOut: number; ifEscalated: boolean }
  /** a cloud turn would be refused before it starts (no key, a BYOK plan without a key): why */
  | { kind: "unavailable"; message: string };

export type EstimateInput = {
  projectId: string;
  settings: ProjectSettings;
  userId: string;
  /** null: the first turn of a chat not created yet */
  chatId: string | null;
  parentId?: string | null;
  answerTo?: string | null;
  content?: string | null;
  tier: "local" | "cloud" | "auto";
  model?: string | null;
  maxTokens?: number | null;
  /** the turn's agent; absent = the chat's */
  agentId?: string | null;
};

/**
 * The hold a turn would take, before it is sent ("up to $0.012"). Not a
 * client-side guess: the same request builder (cloudTurnRequest), the same
 * bound (its UTF-8 bytes + max_tokens, claudeUsageBound) and the same plan
 * (planCloudHold: the payer's tier and the model's price) as the turn itself,
 * so with the same branch, vault and words it is the amount the guard holds.
 * No hold is placed and no turn written; like the turn, the plan opens the
 * payer's billing account if they have none yet and starts a new month's
 * period when the month changed.
 */
export async function estimateTurnHold(db: Db, raw: EstimateInput): Promise<HoldEstimate> {
  const chat = raw.chatId ? await getChat(db, { projectId: raw.projectId, chatId: raw.chatId }) : null;
  if (raw.model && raw.tier !== "cloud") throw new AppError("bad_request:model", "A model can only be chosen for the cloud tier.");
  // The agent shapes the estimate exactly as it shapes the turn (server/agents/turn-agent.ts).
  const agent = await loadTurnAgent(db, { projectId: raw.projectId, agentId: raw.agentId ?? chat?.agentId ?? null });
  const shaped = applyAgent({ requestId: "estimate", chatId: raw.chatId ?? "", tier: raw.tier, model: raw.model ?? null, maxTokens: raw.maxTokens ?? null }, agent);
  const input = { ...raw, settings: settingsWithAgent(raw.settings, agent), tier: shaped.tier, model: shaped.model ?? shaped.fallbackModel, maxTokens: shaped.maxTokens };
  if (input.tier === "local") return { kind: "free", reason: "local" };
  const policy = input.settings.escalationPolicy;
  if (input.tier === "auto" && policy === "manual") return { kind: "free", reason: "policy:manual" };

  const facts = await readCloudHoldFacts(db, { projectId: input.projectId, model: input.model ?? null });
  if (!facts.cloudConfigured && !isProviderModelKey(input.model)) return { kind: "unavailable", message: cloudNotConfiguredError().message };
  const model = await resolveCloudModel(db, facts);
  await assertUsableModel(db, model, input.projectId);

  const from = input.answerTo ?? input.parentId ?? null;
  // the turn's own context read: after a merge, both lines
  const path = from && input.chatId ? await readLineage(db, { chatId: input.chatId, tips: [from] }) : [];
  const question = input.content != null ? input.content.trim() : (path.at(-1)?.content ?? "");
  const [{ chunks }, prefs] = await Promise.all([
    retrieveForTurn(db, { projectId: input.projectId, question, hasSources: true, sourceIds: agentScope(agent) }),
    getPreferences(db, { userId: input.userId }),
  ]);
  const request = cloudTurnRequest({
    settings: input.settings,
    preferences: { language: prefs.language, verbosity: prefs.verbosity, tone: prefs.tone },
    path,
    chunks,
    content: input.content,
    answerTo: input.answerTo,
    model,
    maxTokens: input.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: agent?.temperature ?? null,
  });
  try {
    const plan = await planCloudHold(db, facts, {
      projectId: input.projectId,
      actorId: input.userId,
      requestId: "estimate",
      streamId: null,
      model,
      bound: claudeUsageBound(request),
    });
    return {
      kind: "cloud",
      model,
      amountMicros: plan.amountMicros,
      billingTier: plan.billingTier,
      tokensIn: plan.bound.tokensIn,
      tokensOut: plan.bound.tokensOut,
      ifEscalated: input.tier === "auto",
    };
  } catch (error) {
    // A BYOK plan without a saved key: the turn would be refused the same way; say so before sending.
    if (isAppError(error) && error.code === "payment_required:byok_key") return { kind: "unavailable", message: error.message };
    throw error;
  }
}
