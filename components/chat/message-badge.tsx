import { formatUsd } from "@/lib/money";
import { formatLatency, formatTokens } from "./answer-figures";

type Props = {
  tier: "local" | "cloud" | null;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  costMicros: bigint | string;
  latencyMs: number | null;
};

/** Who answered and what it cost — the same figure the stream's `end` event and the bill carry. */
export function MessageBadge({ tier, model, tokensIn, tokensOut, costMicros, latencyMs }: Props) {
  const latency = formatLatency(latencyMs);
  const tierLabel = tier === "cloud" ? "Cloud" : "Local";
  const modelLabel = model === "vault-responder" ? "vault responder" : (model ?? "unknown model");
  return (
    <p
      aria-label="Answer details"
      className="inline-flex flex-wrap items-center gap-x-1.5 gap-y-0.5 rounded-md bg-zinc-50 px-2 py-1 text-xs text-zinc-600 ring-1 ring-inset ring-zinc-200"
    >
      <span className={tier === "cloud" ? "font-medium text-violet-700" : "font-medium text-emerald-700"}>{tierLabel}</span>
      <Dot />
      <span>{modelLabel}</span>
      <Dot />
      <span title="Tokens in (prompt) and out (answer)">{formatTokens(tokensIn, tokensOut)}</span>
      <Dot />
      <span title="What this answer cost, in US dollars">{formatUsd(costMicros, { precision: "micros" })}</span>
      {latency ? (
        <>
          <Dot />
          <span title="Time to the full answer">{latency}</span>
        </>
      ) : null}
    </p>
  );
}

function Dot() {
  return (
    <span aria-hidden className="text-zinc-300">
      ·
    </span>
  );
}
