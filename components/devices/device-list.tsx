"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTimeZone } from "@/components/providers/display";
import { useTRPC } from "@/components/providers/trpc";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DeviceStateBadge, when } from "./device-state";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${Math.round(v * 100)} %`);

/** Each device with its state, last vitals and tunnel statistics; refreshed every few seconds. */
export function DeviceList() {
  const trpc = useTRPC();
  const zone = useTimeZone();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.devices.list.queryOptions(), refetchInterval: 3000 });
  const remove = useMutation(trpc.devices.remove.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.devices.list.queryKey() }) }));

  if (list.error) return <Alert tone="error">{list.error.message}</Alert>;
  if (!list.data) return <p className="text-sm text-zinc-600">Loading…</p>;
  if (list.data.length === 0) {
    return (
      <Card>
        <p className="text-sm text-zinc-700">
          No devices yet. Run <code className="rounded bg-zinc-100 px-1">npx tsx scripts/arbor-device.ts pair --url {typeof window === "undefined" ? "" : window.location.origin}</code> on a machine with
          an OpenAI-compatible model server (Ollama, llama.cpp, vLLM), then enter the code it shows under <Link href="/devices/pair" className="text-emerald-700 underline">Pair a device</Link>.
        </p>
      </Card>
    );
  }
  return (
    <div className="space-y-4">
      {list.data.map((d) => (
        <Card key={d.id}>
          <section aria-label={`Device ${d.name}`} className="space-y-3">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <div className="flex items-center gap-3">
                <h2 className="text-base font-semibold">{d.name}</h2>
                <DeviceStateBadge state={d.state} />
                {d.prewarm ? <span className="text-xs text-amber-700">Prewarm until {when(d.prewarm.until, zone)}{d.prewarm.reason ? ` — ${d.prewarm.reason}` : ""}</span> : null}
              </div>
              <Button variant="ghost" onClick={() => remove.mutate({ deviceId: d.id })} aria-label={`Remove device ${d.name}`}>
                Remove
              </Button>
            </div>
            <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
              <dt className="text-zinc-500">Token</dt>
              <dd>{d.tokenPrefix ? <code>{d.tokenPrefix}…</code> : "not yet issued"}</dd>
              <dt className="text-zinc-500">Last heartbeat</dt>
              <dd>{when(d.lastHeartbeatAt, zone)}</dd>
              <dt className="text-zinc-500">Model</dt>
              <dd>{d.vitals?.loadedModel ?? d.loadedModel ?? "—"}</dd>
              <dt className="text-zinc-500">Projects</dt>
              <dd>{d.projects.length ? d.projects.map((p) => p.title).join(", ") : "none"}</dd>
              <dt className="text-zinc-500">CPU</dt>
              <dd>{pct(d.vitals?.cpu)}</dd>
              <dt className="text-zinc-500">Memory</dt>
              <dd>{pct(d.vitals?.memory)}</dd>
              <dt className="text-zinc-500">GPU</dt>
              <dd>{d.vitals?.gpu === null || d.vitals?.gpu === undefined ? "none reported" : `${pct(d.vitals.gpu)}${d.vitals.gpuTemp !== null ? ` · ${Math.round(d.vitals.gpuTemp)} °C` : ""}`}</dd>
              <dt className="text-zinc-500">VRAM</dt>
              <dd>{pct(d.vitals?.vram)}</dd>
            </dl>
          </section>
        </Card>
      ))}
      {remove.error ? <Alert tone="error">{remove.error.message}</Alert> : null}
    </div>
  );
}
