import "server-only";
import type { Db } from "@/db/client";
import { messageCitations } from "@/db/schema";
import type { SourceRef, StreamPhase } from "@/lib/chat-protocol";
import { checkCitations } from "@/server/ai/citation-check";
import type { RetrievedChunk } from "@/server/knowledge/retrieve";
import type { AnswerRun } from "./answer-run";

/**
 * The verifying phase, after the last token: every `[n]` of the answer is
 * checked against the chunks the model was given (server/ai/citation-check.ts).
 * The stream says so (phase `verifying`), the trace keeps the verdicts, and
 * the sources returned here go into the `end` event and message_citations.
 */
export function verifyAnswer(run: AnswerRun, chunks: RetrievedChunk[]): SourceRef[] {
  run.emit({ type: "metadata", phase: "verifying", agent: "verifier" });
  const started = Date.now();
  const verdicts = checkCitations(run.text, chunks.map((c) => c.text));
  const sources = verdicts.map((v): SourceRef => {
    const chunk = v.problem === "no_such_source" ? undefined : chunks[v.number - 1];
    return {
      number: v.number,
      sourceId: chunk?.sourceId ?? null,
      chunkId: chunk?.chunkId ?? null,
      title: chunk?.sourceTitle ?? null,
      relevance: chunk?.relevance ?? 0,
      supported: v.problem === null,
      problem: v.problem,
    };
  });
  run.steps.push({
    messageId: run.assistantId,
    kind: "verification",
    durationMs: Date.now() - started,
    detail: { checked: verdicts.length, unsupported: verdicts.filter((v) => v.problem).map((v) => ({ number: v.number, problem: v.problem, quote: v.quote })) },
  });
  return sources;
}

/** Every cited number is kept with its verdict, a fabricated one too (without a chunk), numbered as the model saw them. */
export async function saveVerifiedCitations(db: Db, messageId: string, sources: SourceRef[]): Promise<void> {
  const rows = sources.map((s) => ({ messageId, number: s.number, chunkId: s.chunkId, sourceId: s.sourceId, relevance: s.relevance, problem: s.problem }));
  if (rows.length > 0) await db.insert(messageCitations).values(rows).onConflictDoNothing();
}

/** Time in each phase (from one phase event to the next, the last until the end) and to the first token: for the Details panel. */
export function timingStep(run: AnswerRun) {
  const now = Date.now();
  const phases = run.phaseStarts.map((p, i): { phase: StreamPhase; ms: number } => ({ phase: p.phase, ms: (run.phaseStarts[i + 1]?.at ?? now) - p.at }));
  return {
    messageId: run.assistantId,
    kind: "timing" as const,
    durationMs: now - run.started,
    detail: { phases, ttftMs: run.firstTokenAt === null ? null : run.firstTokenAt - run.started, totalMs: now - run.started },
  };
}
