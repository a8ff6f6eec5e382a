import type { ModelChoices } from "./types";

/** A model id as people read it: the operator's label from model_prices, "vault responder" for the built-in tier, else the id. */
export function modelLabel(model: string | null, choices: ModelChoices | undefined): string {
  if (!model) return "unknown model";
  if (model === "vault-responder") return "vault responder";
  return choices?.cloud.find((c) => c.model === model)?.label ?? model;
}
