import "server-only";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatStreams, chats, chunks, generationSteps, messages, reservations, sources, usageEvents } from "@/db/schema";
import type { StreamPhase } from "@/lib/chat-protocol";
import { AppError } from "@/server/errors";

type RetrievalDetail = { query?: string; count?: number; topRelevance?: number; chunks?: Array<{ chunkId: string; relevance: number }>; error?: string | null };
type DecisionDetail = { requested?: string; policy?: string; topRelevance?: number; decision?: "local" | "cloud"; reason?: string };
type VerificationDetail = { checked?: number; unsupported?: Array<{ number: number; problem: string; quote: string | null }> };
type TimingDetail = { phases?: Array<{ phase: StreamPhase; ms: number }>; ttftMs?: number | null; totalMs?: number };

export type AnswerDetails = Awaited<ReturnType<typeof getAnswerDetails>>;

/**
 * "Why this answer": an answer's trace (generation_steps) with what it refers
 * to filled in — the retrieval hits with their sources and scores, the tier
 * decision and its reason, the model, the request's size as the hold bounded
 * it, time in each phase and to the first token, the tokens, the hold and
 * what was settled. Scoped in the where: an answer of another project is not found.
 */
export async function getAnswerDetails(db: Db, { projectId, messageId }: { projectId: string; messageId: string }) {
  const [message] = await db
    .select({
      id: messages.id,
      role: messages.role,
      tier: messages.tier,
      model: messages.model,
      status: messages.status,
      tokensIn: messages.tokensIn,
      tokensOut: messages.tokensOut,
      costMicros: messages.costMicros,
      latencyMs: messages.latencyMs,
      adapterName: messages.adapterName,
      loraApplied: messages.loraApplied,
    })
    .from(messages)
    .innerJoin(chats, eq(chats.id, messages.chatId))
    .where(and(eq(messages.id, messageId), eq(chats.projectId, projectId), isNull(messages.trashId)))
    .limit(1);
  if (message?.role !== "assistant") throw new AppError("not_found:message", "This answer does not exist in this project.");

  const steps = await db.select().from(generationSteps).where(eq(generationSteps.messageId, messageId)).orderBy(asc(generationSteps.createdAt));
  const stepOf = <T>(kind: (typeof steps)[number]["kind"]) => steps.find((s) => s.kind === kind) as ((typeof steps)[number] & { detail: T }) | undefined;
  const retrieval = stepOf<RetrievalDetail>("retrieval");
  const decisions = steps.filter((s) => s.kind === "escalation").map((s) => s.detail as DecisionDetail);
  const generation = stepOf<Record<string, unknown>>("generation");
  const verification = stepOf<VerificationDetail>("verification");
  const timing = stepOf<TimingDetail>("timing");

  const hitIds = (retrieval?.detail.chunks ?? []).map((c) => c.chunkId);
  const hitRows = hitIds.length
    ? await db
        .select({ chunkId: chunks.id, sourceId: chunks.sourceId, sourceTitle: sources.title, text: chunks.text })
        .from(chunks)
        .innerJoin(sources, eq(sources.id, chunks.sourceId))
        .where(and(inArray(chunks.id, hitIds), eq(sources.projectId, projectId)))
    : [];
  const byId = new Map(hitRows.map((r) => [r.chunkId, r]));
  const hits = (retrieval?.detail.chunks ?? []).map((c, i) => {
    const row = byId.get(c.chunkId);
    return { number: i + 1, chunkId: c.chunkId, sourceId: row?.sourceId ?? null, sourceTitle: row?.sourceTitle ?? "Deleted source", relevance: c.relevance, snippet: row ? row.text.slice(0, 160) : null };
  });

  const [hold] = await db
    .select({
      amountMicros: reservations.amountMicros,
      status: reservations.status,
      billingTier: reservations.billingTier,
      keySource: reservations.keySource,
      model: reservations.model,
      boundTokensIn: reservations.boundTokensIn,
      boundTokensOut: reservations.boundTokensOut,
    })
    .from(reservations)
    .innerJoin(chatStreams, eq(chatStreams.id, reservations.streamId))
    .where(and(eq(chatStreams.assistantMessageId, messageId), eq(reservations.projectId, projectId)))
    .limit(1);
  const [usage] = await db
    .select({ costBasisMicros: usageEvents.costBasisMicros, netChargeMicros: usageEvents.netChargeMicros })
    .from(usageEvents)
    .where(and(eq(usageEvents.messageId, messageId), eq(usageEvents.projectId, projectId)))
    .limit(1);

  return {
    message,
    retrieval: retrieval
      ? { query: retrieval.detail.query ?? "", ms: retrieval.durationMs, hits, error: retrieval.detail.error ?? null }
      : null,
    decisions: decisions.map((d) => ({ decision: d.decision ?? null, reason: d.reason ?? "", requested: d.requested ?? null, policy: d.policy ?? null, topRelevance: d.topRelevance ?? null })),
    generation: generation ? { ms: generation.durationMs, stopReason: (generation.detail.stopReason as string | null | undefined) ?? null, error: (generation.detail.error as string | undefined) ?? null } : null,
    verification: verification ? { checked: verification.detail.checked ?? 0, unsupported: verification.detail.unsupported ?? [] } : null,
    timing: timing ? { phases: timing.detail.phases ?? [], ttftMs: timing.detail.ttftMs ?? null, totalMs: timing.detail.totalMs ?? null } : null,
    hold: hold ?? null,
    settled: usage ?? null,
    adapter: message.adapterName ? { name: message.adapterName, applied: message.loraApplied === true, note: adapterNote(message) } : null,
  };
}

/** Said plainly: a LoRA runs only where its weights are, on the local tier. */
function adapterNote(message: { tier: string | null; model: string | null; adapterName: string | null; loraApplied: boolean | null }): string {
  if (message.loraApplied) return `The local model answered with the adapter “${message.adapterName}” (asked for as ${message.model ?? "its served name"}).`;
  if (message.tier === "cloud") return `The adapter “${message.adapterName}” is not applied here: Claude answered, and adapters run only on the local tier.`;
  return `The adapter “${message.adapterName}” is not applied: no local model server is configured, so the built-in vault responder answered.`;
}
