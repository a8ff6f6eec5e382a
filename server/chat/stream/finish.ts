import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatStreams, generationSteps, messages } from "@/db/schema";
import { recordAdapterUse } from "@/server/adapters/selection";
import { UpstreamError } from "@/server/ai/types";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { recordLocalUsage } from "@/server/billing/local-usage";
import { releaseReservation } from "@/server/billing/release";
import { settleReservation } from "@/server/billing/settle";
import { costBasisMicros } from "@/server/billing/cost";
import { isAppError } from "@/server/errors";
import { recordRequestLog, requestLogInsert } from "@/server/request-logs/logs";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";
import type { AnswerRun } from "./answer-run";
import { tellIfAway } from "./away";
import { upstreamCallEntry } from "./request-log";
import { saveVerifiedCitations, timingStep, verifyAnswer } from "./verify";

/**
 * Last stage of an answer that was written (completely, or until Stop): the
 * text reaches readers first, then the bill is settled, the trace, citations
 * and the message row are saved, and the `end` event closes the ledger.
 */
export async function finishAnswer(db: Db, run: AnswerRun, chunks: RetrievedChunk[], generationStarted: number): Promise<void> {
  const stopped = run.stopped;
  // The text first, the bookkeeping after: readers get everything produced before billing takes its turn
  // (on PGlite, whose queries share this thread, a short answer would otherwise wait for the whole settlement).
  await run.ledger.flush().catch(() => {});
  await new Promise<void>((resolve) => setImmediate(resolve));
  const sources = verifyAnswer(run, chunks);
  const costMicros = await chargeAnswer(db, run);
  run.steps.push({
    messageId: run.assistantId,
    kind: "generation",
    durationMs: Date.now() - generationStarted,
    detail: { tier: run.tier, model: run.model, ...run.usage, costMicros: costMicros.toString(), stopReason: stopped ? "stopped" : run.stopReason },
  });
  await saveVerifiedCitations(db, run.assistantId, sources);
  const totalLatencyMs = Date.now() - run.started;
  await saveMessage(db, run, { costMicros, status: stopped ? "stopped" : "complete", error: null, latencyMs: totalLatencyMs });
  if (run.loraApplied && run.adapter) await recordAdapterUse(db, { adapterId: run.adapter.id });
  if (!run.gone) await tellIfAway(db, run, stopped ? "stopped" : "complete").catch((e) => console.error("[arbor] could not tell an away asker", e));
  run.emit({
    type: "end",
    tokensUsed: { prompt: run.usage.tokensIn, completion: run.usage.tokensOut },
    costMicros: costMicros.toString(),
    totalLatencyMs,
    messageId: run.assistantId,
    status: stopped ? "stopped" : "complete",
    modelUsed: run.model,
    sources,
    loraApplied: run.loraApplied,
  });
}

/** An answer that failed: whatever it used is still charged, the message keeps its text, the ledger ends with an error. */
export async function failAnswer(db: Db, run: AnswerRun, error: unknown): Promise<void> {
  const failure = describeFailure(error);
  let costMicros = 0n;
  try {
    costMicros = await chargeAnswer(db, run);
  } catch (billingError) {
    console.error("[arbor] settling a failed chat call failed", billingError);
  }
  run.steps.push({ messageId: run.assistantId, kind: "generation", detail: { tier: run.tier, model: run.model, ...run.usage, error: failure.code } });
  await saveMessage(db, run, { costMicros, status: "error", error: failure.message, latencyMs: Date.now() - run.started }).catch((e) =>
    console.error("[arbor] could not save a failed answer", e),
  );
  if (!run.gone) await tellIfAway(db, run, "error").catch((e) => console.error("[arbor] could not tell an away asker", e));
  run.emit({ type: "error", code: failure.code, message: failure.message });
}

/**
 * Whatever way the answer ended: the ledger is flushed, then ONE statement
 * stores the request log's row and the trace and marks the stream done (every
 * answer pays for this, so it is one round trip, not three). Should it fail —
 * the chat deleted under the answer, say — each write is tried on its own, so
 * the stream is still marked done.
 */
export async function closeAnswer(db: Db, run: AnswerRun): Promise<void> {
  run.stopWatching();
  run.steps.push(timingStep(run));
  await run.ledger.flush().catch(() => {});
  const log = upstreamCallEntry(run);
  const steps = run.steps.length > 0 && !run.gone ? run.steps : [];
  try {
    await db.execute(sql`with ${log ? sql`log as (${requestLogInsert(log)}), ` : sql.empty()}steps as (
        insert into generation_steps (message_id, kind, detail, duration_ms)
        select s."messageId", s.kind, coalesce(s.detail, '{}'::jsonb), s."durationMs"
        from jsonb_to_recordset(${JSON.stringify(steps)}::jsonb) as s("messageId" uuid, kind text, detail jsonb, "durationMs" int)
      )
      update chat_streams set status = 'done', finished_at = now() where id = ${run.stream.id}`);
  } catch (error) {
    console.error("[arbor] closing an answer in one statement failed; writing its parts one by one", error);
    if (log) await recordRequestLog(db, log);
    if (steps.length > 0) await db.insert(generationSteps).values(steps).catch((e) => console.error("[arbor] could not save the generation trace", e));
    await db.update(chatStreams).set({ status: "done", finishedAt: new Date() }).where(eq(chatStreams.id, run.stream.id));
  }
  run.ledger.close();
}

/**
 * The answer's charge, exactly once: a cloud hold is settled to the usage
 * reported (or, when stopped early, produced) — or released when the call
 * billed nothing; a local model call is one zero-cost usage event; the vault
 * responder is not a model call and records nothing.
 */
async function chargeAnswer(db: Db, run: AnswerRun): Promise<bigint> {
  const hold = run.reservation;
  run.reservation = null;
  if (hold) {
    if (run.tier !== "cloud" || run.usage.tokensIn + run.usage.tokensOut === 0) {
      await releaseReservation(db, { reservationId: hold.reservationId });
      return 0n;
    }
    // The chat may have been deleted meanwhile: settling links the message only if it is still there (the tokens were used).
    const settled = await settleReservation(db, { reservationId: hold.reservationId, messageId: run.assistantId, usage: run.usage });
    return settled.chargedMicros;
  }
  if (run.tier === "local" && run.model !== VAULT_RESPONDER_MODEL) {
    // The chat may have been deleted meanwhile; the tokens were still used, so record them without the message link.
    const messageId = (await db.$count(messages, eq(messages.id, run.assistantId))) > 0 ? run.assistantId : null;
    const metered = run.localPrice ? { provider: run.localPrice.provider, costBasisMicros: costBasisMicros(run.localPrice, run.usage.tokensIn, run.usage.tokensOut) } : null;
    await recordLocalUsage(db, { requestId: run.requestId, projectId: run.projectId, actorId: run.actorId, messageId, model: run.model, ...run.usage, metered });
    return metered?.costBasisMicros ?? 0n;
  }
  return 0n;
}

async function saveMessage(db: Db, run: AnswerRun, o: { costMicros: bigint; status: "complete" | "stopped" | "error"; error: string | null; latencyMs: number }) {
  run.outcome = o;
  await db
    .update(messages)
    .set({
      content: run.text,
      tier: run.tier,
      model: run.model,
      ...run.usage,
      costMicros: o.costMicros,
      status: o.status,
      error: o.error,
      latencyMs: o.latencyMs,
      ...(run.agent ? { agentId: run.agent.id, agentSnapshot: run.agent } : {}),
      ...(run.adapter ? { adapterId: run.adapter.id, adapterName: run.adapter.name, loraApplied: run.loraApplied } : {}),
    })
    .where(eq(messages.id, run.assistantId));
}

function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof UpstreamError) return { code: error.code, message: error.message };
  if (isAppError(error)) return { code: error.code, message: error.message };
  console.error("[arbor] chat generation failed", error);
  return { code: "internal:generation", message: "Something went wrong while writing this answer. What was written so far is kept; try Regenerate." };
}
