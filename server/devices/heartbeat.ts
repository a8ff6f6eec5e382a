import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "@/db/client";
import type { DeviceVitalsSnapshot, TunnelStats } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";
import { hitRateLimit, type RateLimitRule } from "@/server/security/rate-limit";
import type { DeviceIdentity } from "./authenticate";
import { recordDeviceRefusal } from "./refusals";

/** A healthy agent beats every 30 s; this leaves room for tests at 1 s and reconnect bursts, and stops a loop. */
export const HEARTBEAT_RULE: RateLimitRule = { limit: 20, windowMs: 10_000 };
/** Clocks drift; a device a little ahead is not lying. Beyond this a timestamp is in the future. */
export const CLOCK_SKEW_MS = 5_000;
/** Older vitals are not news: an agent that was offline sends its current reading, not a backlog. */
export const STALE_AFTER_MS = 60 * 60_000;
/** How long a GPU-load prewarm lasts without a heartbeat to renew or clear it. */
const GPU_PREWARM_MS = 120_000;
/** A heartbeat whose database work takes longer than this is answered "degraded". */
const SLOW_MS = 500;

const share = (name: string) => z.number({ message: `${name} must be a number between 0 and 1` }).min(0, `${name} must be between 0 and 1`).max(1, `${name} must be between 0 and 1`);
const count = (name: string) => z.number({ message: `${name} must be a whole number` }).int(`${name} must be a whole number`).min(0).max(1_000_000);
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The agent model's DeviceVitals, in its own (snake_case) field names. */
export const vitalsSchema = z.object({
  device_id: z.string().max(100).optional(),
  timestamp: z.iso.datetime({ offset: true, message: "timestamp must be an ISO 8601 date-time" }),
  cpu_usage: share("cpu_usage"),
  memory_usage: share("memory_usage"),
  gpu_usage: share("gpu_usage").nullish(),
  gpu_temp_celsius: z.number().min(-40, "gpu_temp_celsius must be between -40 and 150").max(150, "gpu_temp_celsius must be between -40 and 150").nullish(),
  gpu_vram_usage: share("gpu_vram_usage").nullish(),
  disk_usage: share("disk_usage"),
  active_sessions: count("active_sessions"),
  pending_queries: count("pending_queries"),
  loaded_model: z.string().max(200).nullish(),
});

export const heartbeatSchema = z.object({
  vitals: vitalsSchema,
  tunnel: z
    .object({
      state: z.enum(["connecting", "connected", "reconnecting", "failed", "disconnected"]),
      attempt: z.number().int().min(0).max(1000).optional(),
      last_error: z.string().max(500).nullish(),
      stats: z
        .object({
          total_bytes_sent: counter,
          total_bytes_received: counter,
          heartbeats_sent: counter,
          heartbeats_acked: counter,
          requests_sent: counter,
          requests_succeeded: counter,
          requests_failed: counter,
          reconnections: counter,
          avg_latency_ms: counter,
        })
        .optional(),
    })
    .optional(),
  /** the round trip the agent measured for its previous heartbeat */
  rtt_ms: z.number().int().min(0).max(600_000).optional(),
  model_server: z.string().max(300).optional(),
});
export type HeartbeatBody = z.infer<typeof heartbeatSchema>;

export type ServerStatus = { status: "healthy" } | { status: "degraded"; reason: string } | { status: "maintenance"; until: string };
/** The agent model's HeartbeatAck. */
export type HeartbeatAck = { server_time: string; latency_ms: number; pending_messages: number; server_status: ServerStatus };

export function parseHeartbeat(body: unknown): HeartbeatBody {
  const parsed = heartbeatSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("bad_request:vitals", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/**
 * One heartbeat: refused whole (4xx, nothing stored) or stored whole — a
 * vitals row, the device's newest vitals, tunnel state and statistics, GPU
 * prewarm — and answered with a HeartbeatAck. Timestamps are judged by the
 * database's clock, which every instance shares.
 */
export async function recordHeartbeat(db: Db, device: DeviceIdentity, raw: unknown): Promise<HeartbeatAck> {
  const started = performance.now();
  const { limited } = await hitRateLimit(db, { key: `heartbeat:${device.deviceId}`, rule: HEARTBEAT_RULE });
  if (limited) {
    await recordDeviceRefusal(db, device, "heartbeat_flood");
    throw new AppError("rate_limited:heartbeat", `More than ${HEARTBEAT_RULE.limit} heartbeats in ${HEARTBEAT_RULE.windowMs / 1000} s. The agent heartbeats every 30 s; check for a second copy running with the same token.`);
  }
  const body = parseHeartbeat(raw);
  const v = body.vitals;
  if (v.device_id !== undefined && v.device_id !== device.deviceId) {
    await recordDeviceRefusal(db, device, "device_id_mismatch", { claimed: v.device_id.slice(0, 100) });
    throw new AppError("forbidden:device", "These vitals name another device; a device token reports only for its own device.");
  }
  const at = new Date(v.timestamp);
  const [clock] = await queryRows<{ now: Date | string }>(db, sql`select now() as now`);
  const now = new Date(clock?.now ?? Date.now());
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new AppError("bad_request:vitals_timestamp", `timestamp ${v.timestamp} is in the future (server time ${now.toISOString()}). Check the device's clock.`);
  }
  if (at.getTime() < now.getTime() - STALE_AFTER_MS) {
    throw new AppError("bad_request:vitals_timestamp", `timestamp ${v.timestamp} is more than an hour old; send current vitals.`);
  }

  const snapshot: DeviceVitalsSnapshot = {
    at: at.toISOString(),
    cpu: v.cpu_usage,
    memory: v.memory_usage,
    disk: v.disk_usage,
    gpu: v.gpu_usage ?? null,
    gpuTemp: v.gpu_temp_celsius ?? null,
    vram: v.gpu_vram_usage ?? null,
    activeSessions: v.active_sessions,
    pendingQueries: v.pending_queries,
    loadedModel: v.loaded_model ?? null,
  };
  const t = body.tunnel;
  const stats: TunnelStats | null = t?.stats
    ? {
        totalBytesSent: t.stats.total_bytes_sent,
        totalBytesReceived: t.stats.total_bytes_received,
        heartbeatsSent: t.stats.heartbeats_sent,
        heartbeatsAcked: t.stats.heartbeats_acked,
        requestsSent: t.stats.requests_sent,
        requestsSucceeded: t.stats.requests_succeeded,
        requestsFailed: t.stats.requests_failed,
        reconnections: t.stats.reconnections,
        avgLatencyMs: t.stats.avg_latency_ms,
      }
    : null;
  const threshold = getEnv().DEVICE_PREWARM_GPU_THRESHOLD;
  const hot = snapshot.gpu !== null && snapshot.gpu >= threshold;
  const reason = hot ? `GPU load ${Math.round((snapshot.gpu ?? 0) * 100)} % on the device is at or above ${Math.round(threshold * 100)} %` : null;
  const tunnelState = t ? (t.state === "connecting" ? "reconnecting" : t.state) : null;

  const [row] = await queryRows<{ pending: number; latency: number | null }>(
    db,
    sql`with v as (
          insert into device_vitals (device_id, resolution, at, cpu, memory, disk, gpu, gpu_temp, vram, active_sessions, pending_queries)
          values (${device.deviceId}, 0, ${at.toISOString()}, ${snapshot.cpu}, ${snapshot.memory}, ${snapshot.disk}, ${snapshot.gpu}, ${snapshot.gpuTemp}, ${snapshot.vram},
                  ${snapshot.activeSessions}, ${snapshot.pendingQueries})
          on conflict do nothing returning 1
        ), d as (
          update devices set
            last_heartbeat_at = now(),
            last_vitals = ${JSON.stringify(snapshot)}::jsonb,
            loaded_model = ${snapshot.loadedModel},
            last_latency_ms = coalesce(${body.rtt_ms ?? null}::int, last_latency_ms),
            model_server = coalesce(${body.model_server ?? null}, model_server),
            tunnel_state = coalesce(${tunnelState}, tunnel_state),
            reconnect_attempt = case when ${tunnelState}::text is null then reconnect_attempt else ${t?.attempt ?? 0} end,
            last_error = case when ${tunnelState}::text is null then last_error else ${t?.last_error ?? null} end,
            stats = coalesce(${stats ? JSON.stringify(stats) : null}::jsonb, stats),
            prewarm_until = case when ${hot} then now() + make_interval(secs => ${GPU_PREWARM_MS / 1000})
                                 when prewarm_source = 'gpu' then null else prewarm_until end,
            prewarm_reason = case when ${hot} then ${reason} when prewarm_source = 'gpu' then null else prewarm_reason end,
            prewarm_source = case when ${hot} then 'gpu' when prewarm_source = 'gpu' then null else prewarm_source end
          where id = ${device.deviceId} and exists (select 1 from v)
          returning last_latency_ms
        )
        select (select last_latency_ms from d) as latency,
               (select count(*)::int from device_jobs where device_id = ${device.deviceId} and state = 'queued') as pending,
               exists (select 1 from v) as stored`,
  );
  const stored = (row as { stored?: boolean } | undefined)?.stored;
  if (!stored) throw new AppError("conflict:vitals_duplicate", `Vitals for ${v.timestamp} were already recorded; each heartbeat carries a new timestamp.`);
  const elapsed = performance.now() - started;
  return {
    server_time: new Date().toISOString(),
    latency_ms: row?.latency ?? 0,
    pending_messages: row?.pending ?? 0,
    server_status: elapsed > SLOW_MS ? { status: "degraded", reason: `the database took ${Math.round(elapsed)} ms to record this heartbeat` } : { status: "healthy" },
  };
}
