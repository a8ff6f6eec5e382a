import "server-only";
import { eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { deviceProjects, projectLocalDevices, projects } from "@/db/schema";
import { localModelConfigured, localModelName } from "@/server/ai/local-model";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import { AppError } from "@/server/errors";
import { localTierProviderTarget, type ProviderTarget } from "@/server/providers/models";
import { tunnelOpen } from "./devices";
import { MAY_SERVE_PROJECT, mayServeProject } from "./offers";

/**
 * Who answers a project's local tier (docs/devices.md#a-projects-local-tier):
 * the device the owner chose — one of their own, or an editor's device the
 * owner allowed (checked here, at every turn: a revoked allowance, a removed
 * or demoted editor, a removed device all end it for the next turn) — else a
 * model of the project's own provider when the owner chose one, else the server-wide
 * LOCAL_MODEL_URL when configured, else the vault responder. The one place
 * that decides it, so the chat producer asks once and every tier-specific
 * detail (a device's tunnel, an adapter as the served model) hangs off it.
 */
export type LocalTier =
  | { kind: "server"; model: string }
  /** a model of the project's own OpenAI-compatible provider, chosen by the owner (metered at the owner's prices) */
  | { kind: "provider"; target: ProviderTarget }
  | { kind: "vault"; model: string }
  | { kind: "device"; deviceId: string; name: string; model: string | null; online: boolean; prewarm: string | null };

export async function resolveLocalTier(db: Db, { projectId }: { projectId: string }): Promise<LocalTier> {
  const [row] = await queryRows<{
    id: string;
    name: string;
    loaded_model: string | null;
    tunnel_state: "connected" | "reconnecting" | "failed" | "disconnected" | null;
    tunnel_seen_at: Date | string | null;
    prewarm: string | null;
    now: Date | string;
  }>(
    db,
    sql`select d.id, d.name, d.loaded_model, d.tunnel_state, d.tunnel_seen_at, now() as now,
               case when d.prewarm_until > now() then coalesce(d.prewarm_reason, 'prewarm') end as prewarm
        from project_local_devices l join devices d on d.id = l.device_id
        join projects p on p.id = l.project_id
        where l.project_id = ${projectId} and d.revoked_at is null and ${MAY_SERVE_PROJECT}`,
  );
  if (row) {
    const seen = row.tunnel_seen_at ? new Date(row.tunnel_seen_at) : null;
    return {
      kind: "device",
      deviceId: row.id,
      name: row.name,
      model: row.loaded_model,
      online: tunnelOpen({ tunnelSeenAt: seen, tunnelState: row.tunnel_state }, new Date(row.now)),
      prewarm: row.prewarm,
    };
  }
  const provider = await localTierProviderTarget(db, projectId);
  if (provider) return { kind: "provider", target: provider };
  if (localModelConfigured()) return { kind: "server", model: localModelName() };
  return { kind: "vault", model: VAULT_RESPONDER_MODEL };
}

/**
 * The owner makes one of their own devices, or an editor's device they
 * allowed, the project's local tier (or goes back to the server's, with null).
 * Choosing one of their own devices also lets it serve the project.
 */
export async function setProjectLocalDevice(db: Db, { projectId, userId, deviceId }: { projectId: string; userId: string; deviceId: string | null }) {
  const [project] = await db.select({ ownerId: projects.ownerId }).from(projects).where(eq(projects.id, projectId));
  if (!project || project.ownerId !== userId) throw new AppError("forbidden:project", "Only the project's owner chooses its local tier.");
  if (deviceId === null) {
    await db.delete(projectLocalDevices).where(eq(projectLocalDevices.projectId, projectId));
    return { deviceId: null };
  }
  const may = await mayServeProject(db, { projectId, deviceId });
  if (!may) throw new AppError("not_found:device", "There is no such device on your account, and no editor's device you allowed for this project.");
  await db.transaction(async (tx) => {
    if (may.own) await tx.insert(deviceProjects).values({ deviceId, projectId }).onConflictDoNothing();
    await tx
      .insert(projectLocalDevices)
      .values({ projectId, deviceId, setBy: userId })
      .onConflictDoUpdate({ target: projectLocalDevices.projectId, set: { deviceId, setBy: userId, createdAt: sql`now()` } });
  });
  return { deviceId };
}

/** For the settings page: the chosen device, if any. */
export async function projectLocalDevice(db: Db, { projectId }: { projectId: string }): Promise<string | null> {
  const [row] = await db.select({ deviceId: projectLocalDevices.deviceId }).from(projectLocalDevices).where(eq(projectLocalDevices.projectId, projectId));
  return row?.deviceId ?? null;
}
