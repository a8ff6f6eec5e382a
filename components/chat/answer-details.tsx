"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { formatUsd } from "@/lib/money";
import { formatLatency } from "./answer-figures";
import type { StreamPhase } from "@/lib/chat-protocol";
import type { AnswerDetailsView } from "./types";

const PHASE_NAME: Record<StreamPhase, string> = { analyzing: "Analyzing", retrieving: "Retrieving", generating: "Generating", verifying: "Verifying" };

/** "Why this answer": the answer's trace, read when the panel opens. */
export function AnswerDetailsPanel({ projectId, messageId, id }: { projectId: string; messageId: string; id: string }) {
  const trpc = useTRPC();
  const details = useQuery(trpc.chat.details.queryOptions({ projectId, messageId }, { staleTime: 30_000 }));
  return (
    <section id={id} aria-label="Why this answer" className="mt-2 space-y-3 rounded-md border border-zinc-200 bg-zinc-50/70 px-3 py-2 text-xs text-zinc-700">
      {details.isPending ? <p role="status">Loading the trace…</p> : null}
      {details.isError ? <Alert tone="error">Could not load the details: {details.error.message}</Alert> : null}
      {details.data ? <DetailsBody data={details.data} /> : null}
    </section>
  );
}

function DetailsBody({ data }: { data: AnswerDetailsView }) {
  const { message, retrieval, decisions, timing, hold, settled, verification, adapter } = data;
  return (
    <>
      <div>
        <h4 className="font-semibold text-zinc-800">Retrieval</h4>
        {!retrieval ? (
          <p>No trace was kept for this answer.</p>
        ) : retrieval.hits.length === 0 ? (
          <p>{retrieval.error ? `The vault search failed: ${retrieval.error}` : "The vault had nothing matching the question."}</p>
        ) : (
          <ol aria-label="Retrieval hits" className="mt-1 space-y-0.5">
            {retrieval.hits.map((hit) => (
              <li key={hit.chunkId}>
                [{hit.number}] <span className="font-medium">{hit.sourceTitle}</span> — score {hit.relevance.toFixed(2)}
                {hit.snippet ? <span className="text-zinc-500"> · “{hit.snippet.length >= 160 ? `${hit.snippet}…` : hit.snippet}”</span> : null}
              </li>
            ))}
          </ol>
        )}
      </div>
      <div>
        <h4 className="font-semibold text-zinc-800">Decision</h4>
        {decisions.length === 0 ? <p>—</p> : null}
        <ul aria-label="Tier decision">
          {decisions.map((d, i) => (
            <li key={i}>
              {d.decision === "cloud" ? "Cloud" : "Local"} — {describeReason(d.reason)}
              {d.policy ? ` (policy ${d.policy}${d.topRelevance !== null ? `, best score ${d.topRelevance.toFixed(2)}` : ""})` : ""}
            </li>
          ))}
        </ul>
        <p>
          Model: <span className="font-medium">{message.model === "vault-responder" ? "vault responder" : (message.model ?? "unknown")}</span> · tokens {message.tokensIn} in · {message.tokensOut} out
          {hold ? ` · request bounded at ${hold.boundTokensIn.toLocaleString("en-US")} input + ${hold.boundTokensOut.toLocaleString("en-US")} output tokens` : ""}
        </p>
      </div>
      {adapter ? (
        <div>
          <h4 className="font-semibold text-zinc-800">Adapter</h4>
          <p data-testid="answer-adapter">
            {adapter.applied ? "Applied: " : "Not applied: "}
            {adapter.note}
          </p>
        </div>
      ) : null}
      <div>
        <h4 className="font-semibold text-zinc-800">Timings</h4>
        {timing ? (
          <ul aria-label="Phase timings" className="flex flex-wrap gap-x-4">
            {timing.phases.map((p) => (
              <li key={p.phase}>
                {PHASE_NAME[p.phase]} {formatLatency(p.ms)}
              </li>
            ))}
            <li>First token after {timing.ttftMs === null ? "—" : formatLatency(timing.ttftMs)}</li>
            <li>Total {timing.totalMs === null ? "—" : formatLatency(timing.totalMs)}</li>
          </ul>
        ) : (
          <p>No timings were kept for this answer.</p>
        )}
      </div>
      <div>
        <h4 className="font-semibold text-zinc-800">Cost</h4>
        <p>
          {hold ? `Held up to ${formatUsd(hold.amountMicros, { precision: "micros" })} (${hold.billingTier}, ${hold.keySource === "byok" ? "your own key" : "platform key"}); ` : "Nothing held; "}
          settled {formatUsd(settled?.netChargeMicros ?? message.costMicros, { precision: "micros" })}
          {hold ? ` (${hold.status})` : ""}.
        </p>
      </div>
      {verification ? (
        <div>
          <h4 className="font-semibold text-zinc-800">Citations checked</h4>
          <p>
            {verification.checked === 0
              ? "The answer cites no sources."
              : verification.unsupported.length === 0
                ? `All ${verification.checked} citations match the sources given.`
                : `${verification.unsupported.length} of ${verification.checked} citations are unsupported: ${verification.unsupported.map((u) => `[${u.number}]`).join(", ")}.`}
          </p>
        </div>
      ) : null}
    </>
  );
}

function describeReason(reason: string): string {
  if (reason === "requested") return "chosen by the person asking";
  if (reason.startsWith("policy:")) return `the project's ${reason.slice(7)} policy`;
  return reason;
}
