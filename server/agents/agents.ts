import "server-only";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { AGENT_SCOPES, AGENT_TIERS, type Agent, agentSources, agents, chats, sources } from "@/db/schema";
import { recordActivity } from "@/server/activity/record";
import { assertUsableModel } from "@/server/ai/usable-model";
import { AppError } from "@/server/errors";

export type AgentInput = {
  name: string;
  instructions: string;
  defaultTier: (typeof AGENT_TIERS)[number];
  defaultModel: string | null;
  temperature: number | null;
  maxTokens: number | null;
  scope: (typeof AGENT_SCOPES)[number];
  sourceIds: string[];
};

export type AgentView = Agent & { sourceIds: string[] };

/** The project's agents (archived ones only when asked), each with the sources it may draw on. */
export async function listAgents(db: Db, { projectId, includeArchived = false }: { projectId: string; includeArchived?: boolean }): Promise<AgentView[]> {
  const rows = await db
    .select()
    .from(agents)
    .where(and(eq(agents.projectId, projectId), includeArchived ? undefined : isNull(agents.archivedAt)))
    .orderBy(asc(agents.name));
  if (rows.length === 0) return [];
  const links = await db.select().from(agentSources).where(inArray(agentSources.agentId, rows.map((r) => r.id)));
  return rows.map((r) => ({ ...r, sourceIds: links.filter((l) => l.agentId === r.id).map((l) => l.sourceId) }));
}

/**
 * Every rule an agent's settings must meet, checked before anything is
 * written, each with a message about its own field: a usable model for the
 * cloud tier (priced, not retired), and for a "sources" scope at least one
 * source, every one of them a source of this project that still exists.
 */
async function checkAgentInput(db: Db, projectId: string, input: AgentInput): Promise<AgentInput> {
  const name = input.name.replace(/\s+/g, " ").trim();
  if (!name) throw new AppError("bad_request:agent", "Give the agent a name.");
  if (input.defaultModel) {
    if (input.defaultTier === "local") throw new AppError("bad_request:agent", "A local agent cannot have a cloud model; choose the cloud or auto tier, or no model.");
    await assertUsableModel(db, input.defaultModel, projectId);
  }
  const sourceIds = [...new Set(input.sourceIds)];
  if (input.scope === "sources") {
    if (sourceIds.length === 0) throw new AppError("bad_request:agent", "Choose at least one source, or let the agent draw on the whole vault.");
    const found = await db
      .select({ id: sources.id })
      .from(sources)
      .where(and(eq(sources.projectId, projectId), inArray(sources.id, sourceIds)));
    const missing = sourceIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0) {
      throw new AppError(
        "bad_request:agent",
        `${missing.length === 1 ? "One chosen source no longer exists" : `${missing.length} chosen sources no longer exist`} in this project (deleted meanwhile?). Choose the agent's sources again.`,
      );
    }
  }
  return { ...input, name, sourceIds: input.scope === "sources" ? sourceIds : [] };
}

export async function createAgent(db: Db, { projectId, by, input }: { projectId: string; by: string; input: AgentInput }): Promise<AgentView> {
  const clean = await checkAgentInput(db, projectId, input);
  const { sourceIds, ...fields } = clean;
  return db.transaction(async (tx) => {
    const [agent] = await tx.insert(agents).values({ ...fields, projectId, createdBy: by }).returning();
    if (!agent) throw new Error("agent insert returned nothing");
    if (sourceIds.length > 0) await tx.insert(agentSources).values(sourceIds.map((sourceId) => ({ agentId: agent.id, sourceId })));
    await recordActivity(tx, { projectId, actorId: by, verb: "created_agent", targetKind: "agent", targetId: agent.id, detail: { name: agent.name } });
    return { ...agent, sourceIds };
  });
}

/** New settings for the next turns; answers already given keep the snapshot they recorded. */
export async function updateAgent(db: Db, { projectId, agentId, by, input }: { projectId: string; agentId: string; by: string; input: AgentInput }): Promise<AgentView> {
  const clean = await checkAgentInput(db, projectId, input);
  const { sourceIds, ...fields } = clean;
  return db.transaction(async (tx) => {
    const [agent] = await tx
      .update(agents)
      .set({ ...fields, updatedAt: new Date() })
      .where(and(eq(agents.id, agentId), eq(agents.projectId, projectId)))
      .returning();
    if (!agent) throw new AppError("not_found:agent", "This agent does not exist in this project.");
    await tx.delete(agentSources).where(eq(agentSources.agentId, agentId));
    if (sourceIds.length > 0) await tx.insert(agentSources).values(sourceIds.map((sourceId) => ({ agentId, sourceId })));
    await recordActivity(tx, { projectId, actorId: by, verb: "updated_agent", targetKind: "agent", targetId: agentId, detail: { name: agent.name } });
    return { ...agent, sourceIds };
  });
}

/** Archived agents are no longer offered, and chats that used one by default go back to none. */
export async function archiveAgent(db: Db, { projectId, agentId, by }: { projectId: string; agentId: string; by: string }) {
  return db.transaction(async (tx) => {
    const [agent] = await tx
      .update(agents)
      .set({ archivedAt: new Date(), updatedAt: new Date() })
      .where(and(eq(agents.id, agentId), eq(agents.projectId, projectId), isNull(agents.archivedAt)))
      .returning();
    if (!agent) throw new AppError("not_found:agent", "This agent does not exist in this project, or it is already archived.");
    await tx.update(chats).set({ agentId: null }).where(and(eq(chats.projectId, projectId), eq(chats.agentId, agentId)));
    await recordActivity(tx, { projectId, actorId: by, verb: "archived_agent", targetKind: "agent", targetId: agentId, detail: { name: agent.name } });
    return { ok: true as const };
  });
}

/** The agent a chat's turns use (null = none); it must be a live agent of the same project. */
export async function setChatAgent(db: Db, { projectId, chatId, agentId }: { projectId: string; chatId: string; agentId: string | null }) {
  if (agentId) await requireLiveAgent(db, { projectId, agentId });
  const [row] = await db
    .update(chats)
    .set({ agentId })
    .where(and(eq(chats.id, chatId), eq(chats.projectId, projectId)))
    .returning({ agentId: chats.agentId });
  if (!row) throw new AppError("not_found:chat", "This chat does not exist in this project (it may have been deleted).");
  return row;
}

export async function requireLiveAgent(db: Db, { projectId, agentId }: { projectId: string; agentId: string }): Promise<Agent> {
  const [agent] = await db
    .select()
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.projectId, projectId)))
    .limit(1);
  if (!agent) throw new AppError("not_found:agent", "This agent does not exist in this project.");
  if (agent.archivedAt) throw new AppError("bad_request:agent", `The agent "${agent.name}" has been archived and can no longer answer. Choose another agent.`);
  return agent;
}
