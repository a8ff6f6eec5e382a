import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { adapters, agents, chats, type ProjectSettings, projects } from "@/db/schema";
import { AppError } from "@/server/errors";

/** Where an adapter is chosen: the whole project, one agent, or one chat (the most specific wins). */
export type AdapterTarget = { kind: "project" } | { kind: "agent"; agentId: string } | { kind: "chat"; chatId: string };

/** Only a ready adapter of the same project can be chosen (for the project, an agent, a chat, or a new chat). */
export async function requireReadyAdapter(db: Db, { projectId, adapterId }: { projectId: string; adapterId: string }): Promise<void> {
  const [row] = await db.select({ status: adapters.status, name: adapters.name }).from(adapters).where(and(eq(adapters.id, adapterId), eq(adapters.projectId, projectId)));
  if (!row) throw new AppError("not_found:adapter", "This adapter is not in the project's registry.");
  if (row.status !== "ready") throw new AppError("conflict:adapter_not_ready", `“${row.name}” is not ready yet (${row.status}); choose it once it is verified.`);
}

/**
 * Select (or clear, with null) the adapter a project, agent or chat answers
 * with locally. Only a ready adapter of the same project can be chosen; every
 * row is scoped to the project in its `where`.
 */
export async function selectAdapter(db: Db, { projectId, target, adapterId }: { projectId: string; target: AdapterTarget; adapterId: string | null }) {
  if (adapterId) await requireReadyAdapter(db, { projectId, adapterId });
  if (target.kind === "project") {
    const [project] = await db.select({ settings: projects.settings }).from(projects).where(eq(projects.id, projectId));
    if (!project) throw new AppError("not_found:project", "This project does not exist.");
    const settings: ProjectSettings = { ...project.settings, adapterId };
    await db.update(projects).set({ settings, updatedAt: new Date() }).where(eq(projects.id, projectId));
    return;
  }
  const updated =
    target.kind === "agent"
      ? await db.update(agents).set({ adapterId, updatedAt: new Date() }).where(and(eq(agents.id, target.agentId), eq(agents.projectId, projectId))).returning({ id: agents.id })
      : await db.update(chats).set({ adapterId }).where(and(eq(chats.id, target.chatId), eq(chats.projectId, projectId))).returning({ id: chats.id });
  if (updated.length === 0) throw new AppError(`not_found:${target.kind}`, `This ${target.kind} is not in the project.`);
}

/** The adapter a local answer uses, and the name the local server knows it by. */
export type TurnAdapter = { id: string; name: string; servedName: string };

/**
 * Which adapter a turn uses: the chat's, else the agent's, else the project's
 * — only a ready one (one deleted or failing since it was chosen is skipped).
 */
export async function adapterForTurn(db: Db, { projectId, chatId, agentId }: { projectId: string; chatId: string; agentId: string | null }): Promise<TurnAdapter | null> {
  const [row] = await queryRows<{ id: string; name: string; served_name: string }>(
    db,
    sql`
    select a.id, a.name, a.served_name
      from adapters a
     where a.project_id = ${projectId} and a.status = 'ready'
       and a.id = coalesce(
             (select c.adapter_id from chats c where c.id = ${chatId} and c.project_id = ${projectId}),
             (select g.adapter_id from agents g where g.id = ${agentId} and g.project_id = ${projectId}),
             (select (p.settings->>'adapterId')::uuid from projects p where p.id = ${projectId} and coalesce(p.settings->>'adapterId', '') <> ''))
     limit 1`,
  );
  return row ? { id: row.id, name: row.name, servedName: row.served_name } : null;
}

/** An answer used the adapter: the registry's count and last-used time move. */
export async function recordAdapterUse(db: Db, { adapterId }: { adapterId: string }): Promise<void> {
  await db
    .update(adapters)
    .set({ useCount: sql`${adapters.useCount} + 1`, lastUsedAt: new Date() })
    .where(eq(adapters.id, adapterId));
}
