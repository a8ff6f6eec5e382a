import { useTimeZone } from "@/components/providers/display";
import { Badge } from "@/components/ui/badge";
import { formatDate } from "@/lib/datetime";

export type DeviceStateView =
  | { kind: "waiting" }
  | { kind: "connected"; latencyMs: number | null; since: Date | null }
  | { kind: "reconnecting"; attempt: number | null; lastError: string | null }
  | { kind: "offline"; since: Date }
  | { kind: "failed"; error: string | null; at: Date | null };

/** A device time in the person's zone (lib/datetime.ts), to the minute. */
export function when(date: Date | null | undefined, zone: string): string {
  return formatDate(date, zone);
}

/** The state in words, the way the seed's TunnelState names it. */
export function describeState(state: DeviceStateView, zone: string): string {
  switch (state.kind) {
    case "waiting":
      return "Paired — waiting for the agent to run";
    case "connected":
      return state.latencyMs === null ? "Connected" : `Connected · ${state.latencyMs} ms`;
    case "reconnecting":
      return `Reconnecting${state.attempt ? ` (attempt ${state.attempt})` : ""}${state.lastError ? ` — ${state.lastError}` : ""}`;
    case "offline":
      return `Offline since ${when(state.since, zone)}`;
    case "failed":
      return `Failed${state.error ? ` — ${state.error}` : ""}`;
  }
}

const TONE = { waiting: "sky", connected: "emerald", reconnecting: "amber", offline: "zinc", failed: "red" } as const;

export function DeviceStateBadge({ state }: { state: DeviceStateView }) {
  const zone = useTimeZone();
  return <Badge tone={TONE[state.kind]}>{describeState(state, zone)}</Badge>;
}
