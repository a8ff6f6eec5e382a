import { formatUsd } from "@/lib/money";
import { modelLabel } from "./model-labels";
import type { ModelChoices, ThreadMessage } from "./types";

/**
 * The versions of one answer with their costs side by side, and what this
 * version cost more or less than each other one — so a person who escalated
 * Haiku to Opus sees what the second opinion cost.
 */
export function SiblingCosts({ message, choices }: { message: ThreadMessage; choices: ModelChoices | undefined }) {
  if (message.siblings.length < 2) return null;
  const current = message.siblings.find((s) => s.id === message.id);
  if (!current) return null;
  const others = message.siblings.filter((s) => s.id !== message.id);
  const only = others.length === 1 ? others[0] : undefined;
  return (
    <section aria-label="Cost of each version" className="mt-2 rounded-md border border-zinc-100 bg-zinc-50/60 px-2 py-1.5 text-xs text-zinc-600">
      <ol className="flex flex-wrap gap-x-4 gap-y-0.5">
        {message.siblings.map((s, index) => (
          <li key={s.id} className={s.id === message.id ? "font-medium text-zinc-900" : undefined}>
            Version {index + 1}: {modelLabel(s.model, choices)} · {formatUsd(s.costMicros, { precision: "micros" })}
            {s.status !== "complete" ? ` (${s.status})` : ""}
            {s.id === message.id ? " — this one" : ""}
          </li>
        ))}
      </ol>
      {only ? <p className="mt-0.5">Difference: {describeDifference(current.costMicros - only.costMicros)}</p> : null}
    </section>
  );
}

function describeDifference(delta: bigint): string {
  if (delta === 0n) return "the same cost";
  const amount = formatUsd(delta < 0n ? -delta : delta, { precision: "micros" });
  return delta > 0n ? `this version cost ${amount} more` : `this version cost ${amount} less`;
}
