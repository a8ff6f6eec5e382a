import "server-only";
import type { Db } from "@/db/client";
import { type ClaudeRequest, claudeRequest, claudeUsageBound, streamClaude } from "@/server/ai/claude";
import { localModelName, streamLocalModel } from "@/server/ai/local-model";
import { UpstreamError } from "@/server/ai/types";
import { composeVaultAnswer, pieces, VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import type { ProviderRoute } from "@/server/billing/hold-plan";
import type { CloudReservation } from "@/server/billing/reserve";
import type { ProviderTarget } from "@/server/providers/models";
import { decryptKey } from "@/server/providers/providers";
import { streamProvider } from "@/server/providers/stream";
import { streamFromDevice } from "@/server/devices/jobs";
import { getEnv } from "@/server/env";
import type { AnswerRun } from "./answer-run";
import { DEFAULT_MAX_TOKENS, holdForCloud, type Route, type TurnInputs } from "./decide";

/**
 * Second stage: write the answer with the tier decided — Claude with the
 * request that was held for, the local model (which under `auto` hands a
 * question it failed before writing anything to the cloud), or the vault
 * responder. Text goes to the ledger as it arrives; usage lands on the run.
 */
export async function generateAnswer(db: Db, run: AnswerRun, route: Route, inputs: TurnInputs): Promise<void> {
  if (route.cloud) return runCloud(run, route.cloud);
  if (route.local.kind === "device") return runLocal(db, run, route, inputs, () => runDevice(run, route, inputs, db));
  if (route.local.kind === "server") return runLocal(db, run, route, inputs, () => runLocalModel(run, route, inputs));
  if (route.local.kind === "provider") {
    const target = route.local.target;
    return runLocal(db, run, route, inputs, () => runLocalProvider(run, route, inputs, target));
  }
  run.emit({ type: "metadata", phase: "generating", agent: run.agent?.name ?? VAULT_RESPONDER_MODEL, tier: "local", model: run.model });
  const answer = composeVaultAnswer(inputs.question, route.chunks);
  for (const piece of pieces(answer.text)) {
    if (run.stopped) break;
    run.onText(piece);
  }
}

async function runCloud(run: AnswerRun, cloud: { request: ClaudeRequest; reservation: CloudReservation }): Promise<void> {
  if (cloud.reservation.provider) return runProvider(run, cloud.request, cloud.reservation.provider);
  run.tier = "cloud";
  run.model = cloud.request.model;
  run.emit({ type: "metadata", phase: "generating", agent: run.agent?.name ?? "claude", tier: "cloud", model: run.model });
  const apiKey = cloud.reservation.apiKey ?? getEnv().ANTHROPIC_API_KEY;
  if (!apiKey) throw new UpstreamError("Claude is not configured: no API key.", "cloud_not_configured", run.usage);
  run.upstreamRequest = cloud.request;
  run.upstreamSecrets = [apiKey];
  try {
    const result = await streamClaude({ apiKey, request: cloud.request, signal: run.abort.signal, onText: run.onText });
    run.usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
    run.stopReason = result.stopReason;
  } catch (error) {
    if (error instanceof UpstreamError) run.usage = error.usage;
    throw error;
  }
}

/** A project's own OpenAI-compatible provider, as a cloud model held for at the owner's prices. */
async function runProvider(run: AnswerRun, request: ClaudeRequest, provider: ProviderRoute): Promise<void> {
  run.tier = "cloud";
  run.model = provider.model;
  run.providerName = provider.providerName;
  run.emit({ type: "metadata", phase: "generating", agent: run.agent?.name ?? provider.providerName, tier: "cloud", model: run.model });
  try {
    const result = await streamProvider({
      baseUrl: provider.baseUrl,
      providerName: provider.providerName,
      model: provider.model,
      apiKey: provider.apiKey,
      system: request.system,
      messages: request.messages,
      maxTokens: request.max_tokens,
      temperature: request.temperature ?? null,
      signal: run.abort.signal,
      onText: run.onText,
      bound: provider.bound,
    });
    run.usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
  } catch (error) {
    if (error instanceof UpstreamError) run.usage = error.usage;
    throw error;
  }
}

/**
 * The project's own provider answering the local tier: no hold (the local
 * tier never holds), but the call is bounded the same way and metered at
 * the owner's prices when it is recorded (server/chat/stream/finish.ts).
 */
async function runLocalProvider(run: AnswerRun, route: Route, inputs: TurnInputs, target: ProviderTarget): Promise<void> {
  if (target.inputMicrosPerMTok === null || target.outputMicrosPerMTok === null) {
    throw new UpstreamError(`${target.providerName} · ${target.model} has no price yet, so it cannot answer. The project owner sets it under Settings → Providers.`, "provider:unpriced", run.usage);
  }
  run.model = target.model;
  run.providerName = target.providerName;
  run.localPrice = { provider: target.providerName, inputMicrosPerMTok: target.inputMicrosPerMTok, outputMicrosPerMTok: target.outputMicrosPerMTok };
  run.emit({ type: "metadata", phase: "generating", agent: run.agent?.name ?? target.providerName, tier: "local", model: run.model });
  const maxTokens = inputs.maxTokens ?? DEFAULT_MAX_TOKENS;
  const request = claudeRequest({ model: target.key, ...route.context, maxTokens, temperature: inputs.temperature });
  try {
    const result = await streamProvider({
      baseUrl: target.baseUrl,
      providerName: target.providerName,
      model: target.model,
      apiKey: target.keyCiphertext ? decryptKey(target.keyCiphertext) : null,
      ...route.context,
      maxTokens,
      temperature: inputs.temperature ?? null,
      signal: run.abort.signal,
      onText: run.onText,
      bound: claudeUsageBound(request),
    });
    run.usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
  } catch (error) {
    if (error instanceof UpstreamError) run.usage = error.usage;
    throw error;
  }
}

async function runLocalModel(run: AnswerRun, route: Route, inputs: TurnInputs): Promise<void> {
  // A chosen adapter is asked for by its served name: the local server applies the LoRA for that model name.
  run.model = run.adapter?.servedName ?? localModelName();
  run.emit({ type: "metadata", phase: "generating", agent: run.agent?.name ?? "local-model", tier: "local", model: run.model });
  // The OpenAI chat-completions body the AI SDK sends for this call, in its own field names.
  run.upstreamRequest = openAiChatBody(run.model, route.context, inputs);
  const result = await streamLocalModel({
    ...route.context,
    maxTokens: inputs.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: inputs.temperature ?? null,
    signal: run.abort.signal,
    onText: run.onText,
    model: run.adapter?.servedName,
  });
  run.model = result.model;
  run.loraApplied = Boolean(run.adapter);
  run.usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
}

/** One of the owner's devices, through its tunnel (docs/devices.md#the-tunnel). */
async function runDevice(run: AnswerRun, route: Route, inputs: TurnInputs, db: Db): Promise<void> {
  if (route.local.kind !== "device") return;
  run.model = route.local.model ?? "device";
  run.emit({ type: "metadata", phase: "generating", agent: run.agent?.name ?? route.local.name, tier: "local", model: run.model });
  run.upstreamRequest = openAiChatBody(run.model, route.context, inputs);
  const result = await streamFromDevice(db, {
    deviceId: route.local.deviceId,
    projectId: inputs.projectId,
    streamId: run.stream.id,
    model: route.local.model,
    ...route.context,
    maxTokens: inputs.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: inputs.temperature ?? null,
    signal: run.abort.signal,
    onText: run.onText,
  });
  run.model = result.model;
  run.usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
}

function openAiChatBody(model: string, context: Route["context"], inputs: TurnInputs) {
  return {
    model,
    messages: [{ role: "system", content: context.system }, ...context.messages],
    max_tokens: inputs.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(inputs.temperature != null ? { temperature: inputs.temperature } : {}),
    stream: true,
  };
}

/** A local model — the server's or a device — that fails before writing anything hands an `auto` question to the cloud. */
async function runLocal(db: Db, run: AnswerRun, route: Route, inputs: TurnInputs, generate: () => Promise<void>): Promise<void> {
  try {
    await generate();
  } catch (error) {
    // auto: a local model that fails before writing anything hands the question to the cloud
    const canEscalate = inputs.requested === "auto" && inputs.settings.escalationPolicy === "auto" && route.cloudConfigured && run.text === "" && !run.stopped;
    if (!canEscalate) {
      if (error instanceof UpstreamError) run.usage = error.usage;
      throw error;
    }
    const localFailure = error instanceof Error ? error.message : String(error);
    const cloud = await holdForCloud(db, run, inputs, route.context);
    run.steps.push({ messageId: run.assistantId, kind: "escalation", detail: { decision: "cloud", reason: `local model failed: ${localFailure.slice(0, 300)}` } });
    await runCloud(run, cloud);
  }
}
