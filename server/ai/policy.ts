import "server-only";
import type { EscalationPolicy } from "@/db/schema";

export type RequestedTier = "local" | "cloud" | "auto";
export type TierDecision = { tier: "local" | "cloud"; reason: string };

/** Below this top relevance the vault is not a confident basis for an answer (see retrieve.ts: all terms once ≈ 0.75). */
export const LOW_CONFIDENCE = 0.5;

/**
 * Which tier answers. An explicit `local`/`cloud` from the person wins;
 * `auto` defers to the project policy, and the auto policy escalates when the
 * vault's best chunk is below LOW_CONFIDENCE — if a cloud key is configured.
 */
export function decideTier(args: {
  requested: RequestedTier;
  policy: EscalationPolicy;
  topRelevance: number;
  cloudConfigured: boolean;
}): TierDecision {
  if (args.requested === "cloud") return { tier: "cloud", reason: "requested" };
  if (args.requested === "local") return { tier: "local", reason: "requested" };
  if (args.policy === "cloud") {
    return args.cloudConfigured ? { tier: "cloud", reason: "policy:cloud" } : { tier: "local", reason: "policy:cloud but no key configured" };
  }
  if (args.policy === "auto" && args.topRelevance < LOW_CONFIDENCE) {
    return args.cloudConfigured
      ? { tier: "cloud", reason: `low retrieval confidence (${args.topRelevance.toFixed(2)} < ${LOW_CONFIDENCE})` }
      : { tier: "local", reason: "low retrieval confidence, but no cloud key is configured" };
  }
  return { tier: "local", reason: args.policy === "auto" ? "retrieval confident" : "policy:manual" };
}
