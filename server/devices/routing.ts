import "server-only";
import type { EscalationPolicy } from "@/db/schema";
import type { RequestedTier, TierDecision } from "@/server/ai/policy";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import type { LocalTier } from "./local-tier";

/**
 * A local decision meets a device (docs/devices.md#routing): a prewarmed
 * device sends `auto` projects' new turns to the cloud; an offline device
 * leaves it to the project's policy — `auto` escalates, anything else is
 * answered by the vault responder (the person may still press Escalate).
 * Decisions already for the cloud, and non-device tiers, pass unchanged.
 */
export function routeAroundDevice(args: {
  decision: TierDecision;
  local: LocalTier;
  requested: RequestedTier;
  policy: EscalationPolicy;
  cloudConfigured: boolean;
}): { decision: TierDecision; local: LocalTier } {
  const { decision, local, requested, policy, cloudConfigured } = args;
  if (local.kind !== "device" || decision.tier === "cloud") return { decision, local };
  const mayEscalate = requested === "auto" && policy === "auto" && cloudConfigured;
  if (local.prewarm && mayEscalate) return { decision: { tier: "cloud", reason: `device prewarm — ${local.prewarm}` }, local };
  if (!local.online) {
    if (mayEscalate) return { decision: { tier: "cloud", reason: `device "${local.name}" is offline` }, local };
    return {
      decision: { tier: "local", reason: `device "${local.name}" is offline; the vault responder answered (policy ${policy})` },
      local: { kind: "vault", model: VAULT_RESPONDER_MODEL },
    };
  }
  return { decision: { ...decision, reason: `${decision.reason}; on device "${local.name}"` }, local };
}
