"use client";

import { useId } from "react";
import { decodeModelChoice, encodeModelChoice, type ModelChoice } from "@/lib/model-choice";
import { formatUsd } from "@/lib/money";
import type { HoldEstimateView, ModelChoices } from "./types";

type Props = {
  choices: ModelChoices | undefined;
  choice: ModelChoice;
  onChange: (choice: ModelChoice) => void;
  estimate: HoldEstimateView | undefined;
  estimating: boolean;
  estimateError: string | null;
  disabled: boolean;
};

/** The composer's "Model" picker (Auto, the local tier, each priced cloud model) and what the next answer could cost. */
export function ModelPicker({ choices, choice, onChange, estimate, estimating, estimateError, disabled }: Props) {
  const id = useId();
  const value = encodeModelChoice(choice);
  const known = choice.tier !== "cloud" || choices?.cloud.some((c) => c.model === choice.model);
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      <label htmlFor={id} className="text-xs font-medium text-zinc-600">
        Model
      </label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(decodeModelChoice(event.target.value))}
        aria-describedby={`${id}-estimate`}
        className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-xs text-zinc-800 focus:border-emerald-600 focus:outline-none focus:ring-1 focus:ring-emerald-600 disabled:bg-zinc-50"
      >
        <option value="auto">Auto (project policy)</option>
        <option value="local">Local — {choices?.local.model === "vault-responder" ? "vault responder" : (choices?.local.model ?? "local tier")}</option>
        {choices?.cloud.map((c) => (
          <option key={c.model} value={encodeModelChoice({ tier: "cloud", model: c.model })}>
            {c.label}
          </option>
        ))}
        {!known && choice.tier === "cloud" ? <option value={value}>{choice.model} (no longer offered)</option> : null}
      </select>
      <span id={`${id}-estimate`} role="status" aria-live="polite" aria-label="Hold estimate" className="text-xs text-zinc-500">
        {estimateText(estimate, estimating, estimateError)}
      </span>
    </div>
  );
}

function estimateText(estimate: HoldEstimateView | undefined, estimating: boolean, error: string | null): string {
  if (error) return error;
  if (!estimate) return estimating ? "Working out the cost…" : "";
  if (estimate.kind === "free") return estimate.reason === "local" ? "Free — answered locally" : "Free — answered locally; Escalate to ask Claude";
  if (estimate.kind === "unavailable") return estimate.message;
  const amount = formatUsd(estimate.amountMicros);
  return estimate.ifEscalated ? `Free locally; up to ${amount} if it goes to the cloud` : `Up to ${amount}`;
}
