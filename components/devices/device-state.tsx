import { Badge } from "@/components/ui/badge";

export type DeviceStateView =
  | { kind: "waiting" }
  | { kind: "connected"; latencyMs: number | null; since: Date | null }
  | { kind: "reconnecting"; attempt: number | null; lastError: string | null }
  | { kind: "offline"; since: Date }
  | { kind: "failed"; error: string | null; at: Date | null };

export function when(date: Date | null | undefined): string {
  return date ? `${new Date(date).toISOString().replace("T", " ").slice(0, 19)} UTC` : "—";
}

/** The state in words, the way the seed's TunnelState names it. */
export function describeState(state: DeviceStateView): string {
  switch (state.kind) {
    case "waiting":
      return "Paired — waiting for the agent to run";
    case "connected":
      return state.latencyMs === null ? "Connected" : `Connected · ${state.latencyMs} ms`;
    case "reconnecting":
      return `Reconnecting${state.attempt ? ` (attempt ${state.attempt})` : ""}${state.lastError ? ` — ${state.lastError}` : ""}`;
    case "offline":
      return `Offline since ${when(state.since)}`;
    case "failed":
      return `Failed${state.error ? ` — ${state.error}` : ""}`;
  }
}

const TONE = { waiting: "sky", connected: "emerald", reconnecting: "amber", offline: "zinc", failed: "red" } as const;

export function DeviceStateBadge({ state }: { state: DeviceStateView }) {
  return <Badge tone={TONE[state.kind]}>{describeState(state)}</Badge>;
}
