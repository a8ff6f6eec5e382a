import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  type ChatStream,
  chatStreams,
  generationSteps,
  messageCitations,
  messages,
  type ProjectSettings,
} from "@/db/schema";
import { streamClaude } from "@/server/ai/claude";
import { buildCloudContext, type Preferences } from "@/server/ai/context";
import { cloudConfigured } from "@/server/ai/escalation-status";
import { localModelConfigured, localModelName, streamLocalModel } from "@/server/ai/local-model";
import { defaultCloudModel } from "@/server/ai/model-prices";
import { decideTier, type RequestedTier } from "@/server/ai/policy";
import { type ChatTurn, estimateTokens, UpstreamError } from "@/server/ai/types";
import { composeVaultAnswer, pieces, VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { type CloudReservation, recordLocalUsage, releaseReservation, reserveCloudBudget, settleCloudCall } from "@/server/billing/guard";
import { isAppError } from "@/server/errors";
import { getEnv } from "@/server/env";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";
import type { StreamEvent } from "@/lib/chat-protocol";
import { LedgerWriter } from "./ledger";
import { track } from "./registry";
import type { Retrieval } from "./retrieval";

export const DEFAULT_MAX_TOKENS = 2048;
/** Stop pressed on this instance aborts at once (registry); this poll carries a Stop from another instance. */
const STOP_POLL_MS = 250;
const PARTIAL_SAVE_MS = 1_000;

export type ProduceOptions = {
  /** the stream row the handler just wrote */
  stream: ChatStream;
  projectId: string;
  requested: RequestedTier;
  model?: string | null;
  maxTokens?: number;
  /** held by the handler when the person asked for the cloud explicitly */
  reservation?: CloudReservation | null;
  // What the handler already read, so the first token waits on no further round trip:
  settings: ProjectSettings;
  preferences: Preferences;
  /** the branch before the question (a failed read fails the answer, not the handler) */
  history: Promise<ChatTurn[]>;
  question: string;
  /** started as soon as the question was known */
  retrieval: Promise<Retrieval>;
};

/** The billing key of a turn: the person's requestId, namespaced so two people's ids never collide. */
export function billingRequestId(userId: string, requestId: string): string {
  return `chat:${userId}:${requestId}`;
}

/** Starts the producer detached from any HTTP connection; readers follow the ledger. */
export function launchProducer(db: Db, options: ProduceOptions): void {
  const abort = new AbortController();
  const promise = produce(db, options, abort).catch((error) => console.error("[arbor] chat producer crashed", error));
  track(options.stream.id, abort, promise);
}

type Outcome = { text: string; tier: "local" | "cloud"; model: string; tokensIn: number; tokensOut: number; costMicros: bigint };

async function produce(db: Db, options: ProduceOptions, abort: AbortController): Promise<void> {
  const started = Date.now();
  const { stream, settings, preferences, question } = options;
  if (!stream.assistantMessageId || !stream.userMessageId || !stream.startedBy) return;
  const assistantId = stream.assistantMessageId;
  const actorId = stream.startedBy;
  const ledger = new LedgerWriter(db, stream.id);
  const emit = (event: StreamEvent) => ledger.append(event);
  const requestId = billingRequestId(actorId, stream.requestId);
  let reservation = options.reservation ?? null;
  let text = "";
  let tier: "local" | "cloud" = "local";
  let model = VAULT_RESPONDER_MODEL;
  let usage = { tokensIn: 0, tokensOut: 0 };
  // The trace is written once at the end, off the path to the first token.
  const steps: Array<typeof generationSteps.$inferInsert> = [];

  // Stop may be pressed on any instance: it lands in the database, and this loop carries it to the upstream call.
  // A deleted chat takes its stream row with it: stop paying for an answer nobody can see.
  let gone = false;
  const stopPoll = setInterval(() => {
    db.select({ at: chatStreams.stopRequestedAt })
      .from(chatStreams)
      .where(eq(chatStreams.id, stream.id))
      .then((rows) => {
        if (rows.length === 0) gone = true;
        if (gone || rows[0]?.at) abort.abort();
      })
      .catch(() => {});
  }, STOP_POLL_MS);
  // The row catches up with the ledger now and then, so views that read messages (canvas, export) see progress.
  let savedLength = 0;
  const partialSave = setInterval(() => {
    if (text.length === savedLength || gone) return;
    savedLength = text.length;
    db.update(messages)
      .set({ content: text })
      .where(and(eq(messages.id, assistantId), eq(messages.status, "streaming")))
      .catch(() => {});
  }, PARTIAL_SAVE_MS);

  try {
    emit({ type: "metadata", phase: "analyzing", agent: "arbor", userMessageId: stream.userMessageId, assistantMessageId: assistantId, branchId: stream.branchId ?? undefined });
    const configured = options.requested === "local" || reservation ? Boolean(reservation) : await cloudConfigured(db, { projectId: options.projectId });
    const history = await options.history;

    emit({ type: "metadata", phase: "retrieving", agent: "retriever" });
    const retrieval = await options.retrieval;
    const chunks = retrieval.chunks;
    const retrievalError = retrieval.error;
    const topRelevance = chunks[0]?.relevance ?? 0;
    steps.push({
      messageId: assistantId,
      kind: "retrieval",
      durationMs: retrieval.ms,
      detail: { query: question.slice(0, 500), count: chunks.length, topRelevance, chunks: chunks.map((c) => ({ chunkId: c.chunkId, relevance: c.relevance })), error: retrievalError },
    });

    let decision = decideTier({ requested: options.requested, policy: settings.escalationPolicy, topRelevance, cloudConfigured: configured || Boolean(reservation) });
    if (decision.tier === "cloud") {
      model = options.model ?? settings.defaultCloudModel ?? (await defaultCloudModel(db));
      if (!reservation) {
        try {
          const estimate = buildCloudContext({ settings, preferences, history, question, chunks });
          reservation = await reserveCloudBudget(db, {
            projectId: options.projectId,
            actorId,
            requestId,
            model,
            maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
            promptTokens: estimateTokens(estimate.system + estimate.messages.map((m) => m.content).join("\n")),
          });
        } catch (error) {
          if (options.requested === "cloud" || !isAppError(error)) throw error;
          decision = { tier: "local", reason: `escalation skipped: ${error.message}` };
        }
      }
    }
    steps.push({
      messageId: assistantId,
      kind: "escalation",
      detail: { requested: options.requested, policy: settings.escalationPolicy, topRelevance, decision: decision.tier, reason: decision.reason },
    });

    const onText = (piece: string) => {
      if (!piece) return;
      text += piece;
      emit({ type: "content", text: piece });
    };
    const generationStarted = Date.now();
    let stopReason: string | null = null;

    const context = buildCloudContext({ settings, preferences, history, question, chunks });
    const runCloud = async (hold: CloudReservation) => {
      tier = "cloud";
      emit({ type: "metadata", phase: "generating", agent: "claude", tier, model });
      const apiKey = hold.apiKey ?? getEnv().ANTHROPIC_API_KEY;
      if (!apiKey) throw new UpstreamError("Claude is not configured: no API key.", "cloud_not_configured", usage);
      const result = await streamClaude({ apiKey, model, ...context, maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS, signal: abort.signal, onText }).catch(
        (error: unknown) => {
          if (error instanceof UpstreamError) usage = error.usage;
          throw error;
        },
      );
      usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
      stopReason = result.stopReason;
    };

    if (decision.tier === "cloud" && reservation) {
      await runCloud(reservation);
    } else if (localModelConfigured()) {
      model = localModelName();
      emit({ type: "metadata", phase: "generating", agent: "local-model", tier: "local", model });
      try {
        const result = await streamLocalModel({ ...context, maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS, signal: abort.signal, onText });
        model = result.model;
        usage = { tokensIn: result.tokensIn, tokensOut: result.tokensOut };
      } catch (error) {
        // auto: a local model that fails before writing anything hands the question to the cloud
        const canEscalate = options.requested === "auto" && settings.escalationPolicy === "auto" && configured && text === "" && !abort.signal.aborted;
        if (!canEscalate) {
          if (error instanceof UpstreamError) usage = error.usage;
          throw error;
        }
        const localFailure = error instanceof Error ? error.message : String(error);
        model = options.model ?? settings.defaultCloudModel ?? (await defaultCloudModel(db));
        reservation = await reserveCloudBudget(db, {
          projectId: options.projectId,
          actorId,
          requestId,
          model,
          maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
          promptTokens: estimateTokens(context.system + context.messages.map((m) => m.content).join("\n")),
        });
        steps.push({ messageId: assistantId, kind: "escalation", detail: { decision: "cloud", reason: `local model failed: ${localFailure.slice(0, 300)}` } });
        await runCloud(reservation);
      }
    } else {
      emit({ type: "metadata", phase: "generating", agent: VAULT_RESPONDER_MODEL, tier: "local", model });
      const answer = composeVaultAnswer(question, chunks);
      for (const piece of pieces(answer.text)) {
        if (abort.signal.aborted) break;
        onText(piece);
      }
    }

    const stopped = abort.signal.aborted;
    // The text first, the bookkeeping after: readers get everything produced before billing takes its turn
    // (on PGlite, whose queries share this thread, a short answer would otherwise wait for the whole settlement).
    await ledger.flush().catch(() => {});
    await new Promise<void>((resolve) => setImmediate(resolve));
    const outcome = await settleBilling(db, { tier, model, usage, reservation, requestId, projectId: options.projectId, actorId, assistantId });
    reservation = null;
    steps.push({
      messageId: assistantId,
      kind: "generation",
      durationMs: Date.now() - generationStarted,
      detail: { tier, model, tokensIn: usage.tokensIn, tokensOut: usage.tokensOut, costMicros: outcome.toString(), stopReason: stopped ? "stopped" : stopReason },
    });
    await saveCitations(db, assistantId, text, chunks);
    const totalLatencyMs = Date.now() - started;
    await finishMessage(db, assistantId, { text, tier, model, ...usage, costMicros: outcome }, stopped ? "stopped" : "complete", null, totalLatencyMs);
    emit({
      type: "end",
      tokensUsed: { prompt: usage.tokensIn, completion: usage.tokensOut },
      costMicros: outcome.toString(),
      totalLatencyMs,
      messageId: assistantId,
      status: stopped ? "stopped" : "complete",
    });
  } catch (error) {
    const failure = describeFailure(error);
    let cost = 0n;
    try {
      cost = await settleBilling(db, { tier, model, usage, reservation, requestId, projectId: options.projectId, actorId, assistantId });
    } catch (billingError) {
      console.error("[arbor] settling a failed chat call failed", billingError);
    }
    steps.push({ messageId: assistantId, kind: "generation", detail: { tier, model, ...usage, error: failure.code } });
    await finishMessage(db, assistantId, { text, tier, model, ...usage, costMicros: cost }, "error", failure.message, Date.now() - started).catch((e) =>
      console.error("[arbor] could not save a failed answer", e),
    );
    emit({ type: "error", code: failure.code, message: failure.message });
  } finally {
    clearInterval(stopPoll);
    clearInterval(partialSave);
    if (steps.length > 0 && !gone) await db.insert(generationSteps).values(steps).catch((e) => console.error("[arbor] could not save the generation trace", e));
    await ledger.flush().catch(() => {});
    await db.update(chatStreams).set({ status: "done", finishedAt: new Date() }).where(eq(chatStreams.id, stream.id));
    ledger.close();
  }
}

/**
 * Cloud: settle the reservation to the real (or, when stopped early, the
 * produced) usage; a call that consumed nothing releases it. Local model: one
 * zero-cost usage event. The vault responder is not a model call: no event.
 */
async function settleBilling(
  db: Db,
  args: {
    tier: "local" | "cloud";
    model: string;
    usage: { tokensIn: number; tokensOut: number };
    reservation: CloudReservation | null;
    requestId: string;
    projectId: string;
    actorId: string;
    assistantId: string;
  },
): Promise<bigint> {
  // The chat may have been deleted meanwhile; the tokens were still used, so bill them without the message link.
  const messageId = (await db.$count(messages, eq(messages.id, args.assistantId))) > 0 ? args.assistantId : null;
  if (args.reservation) {
    if (args.tier !== "cloud" || args.usage.tokensIn + args.usage.tokensOut === 0) {
      await releaseReservation(db, args.reservation.reservationId);
      return 0n;
    }
    const settled = await settleCloudCall(db, { reservationId: args.reservation.reservationId, messageId, model: args.model, ...args.usage });
    return settled.chargedMicros;
  }
  if (args.tier === "local" && args.model !== VAULT_RESPONDER_MODEL) {
    await recordLocalUsage(db, { requestId: args.requestId, projectId: args.projectId, actorId: args.actorId, messageId, model: args.model, ...args.usage });
  }
  return 0n;
}

async function finishMessage(
  db: Db,
  messageId: string,
  o: Outcome,
  status: "complete" | "stopped" | "error",
  error: string | null,
  latencyMs: number,
): Promise<void> {
  await db
    .update(messages)
    .set({ content: o.text, tier: o.tier, model: o.model, tokensIn: o.tokensIn, tokensOut: o.tokensOut, costMicros: o.costMicros, status, error, latencyMs })
    .where(eq(messages.id, messageId));
}

/** Keeps the [n] the answer actually used, numbered as the model saw them. */
async function saveCitations(db: Db, messageId: string, text: string, chunks: RetrievedChunk[]): Promise<void> {
  const used = new Set([...text.matchAll(/\[(\d{1,2})\]/g)].map((m) => Number(m[1])));
  const rows = [...used]
    .filter((n) => n >= 1 && n <= chunks.length)
    .map((n) => {
      const chunk = chunks[n - 1] as RetrievedChunk;
      return { messageId, number: n, chunkId: chunk.chunkId, sourceId: chunk.sourceId, relevance: chunk.relevance };
    });
  if (rows.length > 0) await db.insert(messageCitations).values(rows).onConflictDoNothing();
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof UpstreamError) return { code: error.code, message: error.message };
  if (isAppError(error)) return { code: error.code, message: error.message };
  console.error("[arbor] chat generation failed", error);
  return { code: "internal:generation", message: "Something went wrong while writing this answer. What was written so far is kept; try Regenerate." };
}

