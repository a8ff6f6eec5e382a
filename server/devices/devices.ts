import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Device, type DeviceVitalsSnapshot, deviceProjects, devices, projects, securityEvents, type TunnelStats } from "@/db/schema";
import { AppError } from "@/server/errors";
import { getEnv } from "@/server/env";

/**
 * What the Devices page shows. `connected`: heartbeats arrive and the tunnel
 * is open; `reconnecting`: heartbeats still arrive (or only just stopped) but
 * the tunnel is down — with the agent's attempt and last error when it said
 * so; `offline`: silence past DEVICE_OFFLINE_AFTER_SECONDS; `failed`: the
 * agent gave up after its last reconnection attempt; `waiting`: paired, the
 * agent has not run yet.
 */
export type DeviceState =
  | { kind: "waiting" }
  | { kind: "connected"; latencyMs: number | null; since: Date | null }
  | { kind: "reconnecting"; attempt: number | null; lastError: string | null }
  | { kind: "offline"; since: Date }
  | { kind: "failed"; error: string | null; at: Date | null };

/** The tunnel counts as open while its connection pinged within two ping intervals. */
export function tunnelOpen(device: Pick<Device, "tunnelSeenAt" | "tunnelState">, now: Date): boolean {
  if (!device.tunnelSeenAt || device.tunnelState !== "connected") return false;
  return now.getTime() - device.tunnelSeenAt.getTime() <= 2 * getEnv().DEVICE_TUNNEL_PING_SECONDS * 1000 + 2000;
}

export function deviceState(device: Device, now: Date): DeviceState {
  const offlineAfter = getEnv().DEVICE_OFFLINE_AFTER_SECONDS * 1000;
  const last = device.lastHeartbeatAt;
  if (device.tunnelState === "failed") return { kind: "failed", error: device.lastError, at: last };
  if (!last && !device.tunnelSeenAt) return { kind: "waiting" };
  const lastSign = Math.max(last?.getTime() ?? 0, device.tunnelSeenAt?.getTime() ?? 0);
  if (now.getTime() - lastSign > offlineAfter) return { kind: "offline", since: new Date(lastSign) };
  if (tunnelOpen(device, now)) return { kind: "connected", latencyMs: device.lastLatencyMs, since: device.tunnelSeenAt };
  return { kind: "reconnecting", attempt: device.reconnectAttempt > 0 ? device.reconnectAttempt : null, lastError: device.lastError };
}

export type DeviceListItem = {
  id: string;
  name: string;
  tokenPrefix: string | null;
  modelServer: string | null;
  loadedModel: string | null;
  createdAt: Date;
  lastHeartbeatAt: Date | null;
  state: DeviceState;
  vitals: DeviceVitalsSnapshot | null;
  stats: TunnelStats | null;
  prewarm: { until: Date; reason: string | null } | null;
  projects: Array<{ id: string; title: string }>;
};

/** A person's devices, newest first, each with its state as of the database's clock. */
export async function listDevices(db: Db, { userId }: { userId: string }): Promise<DeviceListItem[]> {
  const [{ now } = { now: new Date() }] = await db.select({ now: sql<Date>`now()`.mapWith((v) => new Date(v)) }).from(sql`(select 1) as one`);
  const rows = await db
    .select()
    .from(devices)
    .where(and(eq(devices.userId, userId), isNull(devices.revokedAt)))
    .orderBy(desc(devices.createdAt));
  const links = rows.length
    ? await db
        .select({ deviceId: deviceProjects.deviceId, id: projects.id, title: projects.title })
        .from(deviceProjects)
        .innerJoin(projects, eq(projects.id, deviceProjects.projectId))
        .where(sql`${deviceProjects.deviceId} in ${rows.map((r) => r.id)}`)
    : [];
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    tokenPrefix: d.tokenPrefix,
    modelServer: d.modelServer,
    loadedModel: d.loadedModel,
    createdAt: d.createdAt,
    lastHeartbeatAt: d.lastHeartbeatAt,
    state: deviceState(d, now),
    vitals: d.lastVitals ?? null,
    stats: d.stats ?? null,
    prewarm: d.prewarmUntil && d.prewarmUntil > now ? { until: d.prewarmUntil, reason: d.prewarmReason } : null,
    projects: links.filter((l) => l.deviceId === d.id).map((l) => ({ id: l.id, title: l.title })),
  }));
}

/** One of the person's own devices; anyone else's is simply not found. */
export async function ownDevice(db: Db, { userId, deviceId }: { userId: string; deviceId: string }): Promise<Device> {
  const [device] = await db
    .select()
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.userId, userId), isNull(devices.revokedAt)));
  if (!device) throw new AppError("not_found:device", "There is no such device on your account.");
  return device;
}

/** Removing a device revokes its token at once, on every instance (each request reads the row); the hash stays so a later use is recognised and logged. */
export async function removeDevice(db: Db, { userId, deviceId }: { userId: string; deviceId: string }) {
  const device = await ownDevice(db, { userId, deviceId });
  await db.transaction(async (tx) => {
    await tx.update(devices).set({ revokedAt: sql`now()` }).where(eq(devices.id, device.id));
    await tx.execute(sql`delete from project_local_devices where device_id = ${device.id}`);
    await tx.insert(securityEvents).values({ userId, kind: "device_removed", detail: { deviceId: device.id, name: device.name } });
  });
  return { removed: true };
}
