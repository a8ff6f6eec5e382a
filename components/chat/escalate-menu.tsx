"use client";

import { useQueries } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { formatUsd } from "@/lib/money";
import type { HoldEstimateView, ModelChoices } from "./types";

type Props = {
  projectId: string;
  chatId: string | null;
  /** the question the answer replies to: it is answered again */
  questionId: string;
  /** the model of the answer shown, which the menu still offers (a second run of the same model is a fair ask) */
  currentModel: string | null;
  choices: ModelChoices | undefined;
  disabled: boolean;
  className: string;
  onPick: (model: string) => void;
};

/**
 * "Escalate to…": answer the same question again with a chosen cloud model,
 * as a sibling. Each model shows what the guard would hold for it, from the
 * server's own estimate (the question's branch, vault and the model's price).
 */
export function EscalateMenu({ projectId, chatId, questionId, currentModel, choices, disabled, className, onPick }: Props) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const models = choices?.cloud ?? [];
  const estimates = useQueries({
    queries: models.map((m) =>
      trpc.chat.estimate.queryOptions(
        { projectId, chatId, parentId: questionId, answerTo: questionId, tier: "cloud", model: m.model },
        { enabled: open && Boolean(chatId), staleTime: 30_000, retry: false },
      ),
    ),
  });

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  return (
    <div ref={rootRef} className="relative inline-block">
      <button type="button" className={className} disabled={disabled || models.length === 0} aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((v) => !v)}>
        Escalate to…
      </button>
      {open ? (
        <section id={panelId} aria-label="Escalate to a model" className="absolute left-0 z-20 mt-1 w-72 rounded-md border border-zinc-200 bg-white p-1 shadow-lg">
          <ul>
            {models.map((m, index) => (
              <li key={m.model}>
                <button
                  type="button"
                  onClick={() => {
                    setOpen(false);
                    onPick(m.model);
                  }}
                  className="flex w-full items-center justify-between gap-2 rounded px-2 py-1.5 text-left text-sm text-zinc-800 hover:bg-zinc-100"
                >
                  <span>
                    {m.label}
                    {m.model === currentModel ? <span className="ml-1 text-xs text-zinc-500">(again)</span> : null}
                  </span>
                  <span className="text-xs text-zinc-500">{estimateLabel(estimates[index]?.data, estimates[index]?.isError ?? false)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

function estimateLabel(estimate: HoldEstimateView | undefined, failed: boolean): string {
  if (failed) return "cost unknown";
  if (!estimate) return "…";
  if (estimate.kind === "cloud") return `up to ${formatUsd(estimate.amountMicros)}`;
  if (estimate.kind === "unavailable") return "not available";
  return "free";
}
