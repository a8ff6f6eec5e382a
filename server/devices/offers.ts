import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { devices, projectDeviceOffers, projectLocalDevices } from "@/db/schema";
import type { Role } from "@/lib/roles";
import { AppError } from "@/server/errors";
import { tunnelOpen } from "./devices";

/*
 * Editors' devices as a project's local tier (docs/devices.md#editors-devices):
 * an editor offers one of their own devices to a project, the owner allows
 * it (or revokes it), and only then can the owner choose it as the local
 * tier. Nothing here is trusted at answer time: resolveLocalTier checks the
 * allowance and the editor's role again at every turn.
 */

/** The SQL condition, for a device `d` chosen for project `p`, that it may serve: the owner's own, or an allowed offer of a current editor. */
export const MAY_SERVE_PROJECT = sql`(d.user_id = p.owner_id or exists (
  select 1 from project_device_offers o
  join project_members m on m.project_id = o.project_id and m.user_id = o.offered_by
  where o.project_id = p.id and o.device_id = d.id and o.offered_by = d.user_id
    and o.allowed_at is not null and m.role in ('editor', 'owner')))`;

/** An editor offers one of their own devices; offering again is a no-op. The owner's own devices need no offer. */
export async function offerDevice(db: Db, { projectId, userId, role, deviceId }: { projectId: string; userId: string; role: Role; deviceId: string }) {
  if (role === "owner") throw new AppError("bad_request:device_offer", "Your own devices need no offer: choose one as the local tier in the project's settings.");
  const [device] = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.id, deviceId), eq(devices.userId, userId), isNull(devices.revokedAt)));
  if (!device) throw new AppError("not_found:device", "There is no such device on your account.");
  await db.insert(projectDeviceOffers).values({ projectId, deviceId, offeredBy: userId }).onConflictDoNothing();
  return { offered: true };
}

/** The editor takes the offer back; if the device was the project's local tier, it no longer is. */
export async function withdrawDeviceOffer(db: Db, { projectId, userId, deviceId }: { projectId: string; userId: string; deviceId: string }) {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(projectDeviceOffers)
      .where(and(eq(projectDeviceOffers.projectId, projectId), eq(projectDeviceOffers.deviceId, deviceId), eq(projectDeviceOffers.offeredBy, userId)))
      .returning({ deviceId: projectDeviceOffers.deviceId });
    if (gone.length === 0) throw new AppError("not_found:device_offer", "You have not offered that device to this project.");
    await tx.delete(projectLocalDevices).where(and(eq(projectLocalDevices.projectId, projectId), eq(projectLocalDevices.deviceId, deviceId)));
    return { withdrawn: true };
  });
}

/** The owner allows an offered device, so it can be chosen as the local tier. */
export async function allowDeviceOffer(db: Db, { projectId, ownerId, deviceId }: { projectId: string; ownerId: string; deviceId: string }) {
  const [row] = await db
    .update(projectDeviceOffers)
    .set({ allowedAt: sql`coalesce(${projectDeviceOffers.allowedAt}, now())`, allowedBy: ownerId })
    .where(and(eq(projectDeviceOffers.projectId, projectId), eq(projectDeviceOffers.deviceId, deviceId)))
    .returning({ allowedAt: projectDeviceOffers.allowedAt });
  if (!row) throw new AppError("not_found:device_offer", "No editor has offered that device to this project.");
  return { allowed: true };
}

/** The owner revokes an offer (allowed or not): it is gone, and the device stops being the local tier from the next turn. */
export async function revokeDeviceOffer(db: Db, { projectId, deviceId }: { projectId: string; deviceId: string }) {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(projectDeviceOffers)
      .where(and(eq(projectDeviceOffers.projectId, projectId), eq(projectDeviceOffers.deviceId, deviceId)))
      .returning({ deviceId: projectDeviceOffers.deviceId });
    if (gone.length === 0) throw new AppError("not_found:device_offer", "No editor has offered that device to this project.");
    await tx.delete(projectLocalDevices).where(and(eq(projectLocalDevices.projectId, projectId), eq(projectLocalDevices.deviceId, deviceId)));
    return { revoked: true };
  });
}

export type DeviceOfferItem = {
  deviceId: string;
  deviceName: string;
  offeredBy: string;
  offeredByLabel: string;
  allowed: boolean;
  online: boolean;
  chosen: boolean;
};

/** The project's offers: all of them for the owner, an editor's own for an editor. */
export async function listDeviceOffers(db: Db, { projectId, userId, role }: { projectId: string; userId: string; role: Role }): Promise<DeviceOfferItem[]> {
  const rows = await queryRows<{
    device_id: string;
    device_name: string;
    offered_by: string;
    label: string;
    allowed: boolean;
    tunnel_state: "connected" | "reconnecting" | "failed" | "disconnected" | null;
    tunnel_seen_at: Date | string | null;
    chosen: boolean;
    now: Date | string;
  }>(
    db,
    sql`select o.device_id, d.name as device_name, o.offered_by, coalesce(nullif(u.name, ''), u.email) as label,
               o.allowed_at is not null as allowed, d.tunnel_state, d.tunnel_seen_at, now() as now,
               exists (select 1 from project_local_devices l where l.project_id = o.project_id and l.device_id = o.device_id) as chosen
        from project_device_offers o join devices d on d.id = o.device_id join users u on u.id = o.offered_by
        where o.project_id = ${projectId} and d.revoked_at is null ${role === "owner" ? sql`` : sql`and o.offered_by = ${userId}`}
        order by o.created_at`,
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    deviceName: r.device_name,
    offeredBy: r.offered_by,
    offeredByLabel: r.label,
    allowed: r.allowed,
    chosen: r.chosen,
    online: tunnelOpen({ tunnelState: r.tunnel_state, tunnelSeenAt: r.tunnel_seen_at ? new Date(r.tunnel_seen_at) : null }, new Date(r.now)),
  }));
}

/** Whether the owner may choose this device as the project's local tier: their own, or an allowed offer of a current editor. */
export async function mayServeProject(db: Db, { projectId, deviceId }: { projectId: string; deviceId: string }): Promise<{ own: boolean } | null> {
  const [row] = await queryRows<{ own: boolean }>(
    db,
    sql`select d.user_id = p.owner_id as own from devices d, projects p
        where d.id = ${deviceId} and p.id = ${projectId} and d.revoked_at is null and ${MAY_SERVE_PROJECT}`,
  );
  return row ?? null;
}

