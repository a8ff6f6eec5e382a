import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type AgentSnapshot, agentSources, type ProjectSettings } from "@/db/schema";
import type { ChatRequest } from "@/lib/chat-protocol";
import { requireLiveAgent } from "./agents";

/** The agent a turn answers as (the turn's own, else the chat's), as a snapshot the answer will record; null = none. */
export async function loadTurnAgent(db: Db, { projectId, agentId }: { projectId: string; agentId: string | null | undefined }): Promise<AgentSnapshot | null> {
  if (!agentId) return null;
  const agent = await requireLiveAgent(db, { projectId, agentId });
  const links = agent.scope === "sources" ? await db.select({ sourceId: agentSources.sourceId }).from(agentSources).where(eq(agentSources.agentId, agent.id)) : [];
  return {
    id: agent.id,
    name: agent.name,
    instructions: agent.instructions,
    defaultTier: agent.defaultTier,
    defaultModel: agent.defaultModel,
    temperature: agent.temperature,
    maxTokens: agent.maxTokens,
    scope: agent.scope,
    sourceIds: links.map((l) => l.sourceId),
  };
}

/**
 * The turn as the agent shapes it: what the person chose wins; where they
 * left it to defaults ("auto", no model, no max tokens) the agent's apply.
 * `model` is the cloud model for an explicit cloud turn, `fallbackModel` the
 * one an auto turn escalates to.
 */
export function applyAgent(request: ChatRequest, agent: AgentSnapshot | null): { tier: ChatRequest["tier"]; model: string | null; fallbackModel: string | null; maxTokens: number | null } {
  if (!agent) return { tier: request.tier, model: request.model ?? null, fallbackModel: null, maxTokens: request.maxTokens ?? null };
  const tier = request.tier === "auto" ? agent.defaultTier : request.tier;
  const agentModel = tier === "local" ? null : agent.defaultModel;
  return {
    tier,
    model: tier === "cloud" ? (request.model ?? agentModel) : null,
    fallbackModel: tier === "auto" ? agentModel : null,
    maxTokens: request.maxTokens ?? agent.maxTokens,
  };
}

/** The project's instructions with the agent's after them: both reach every tier's prompt (and the hold counts their bytes). */
export function settingsWithAgent(settings: ProjectSettings, agent: AgentSnapshot | null): ProjectSettings {
  if (!agent?.instructions.trim()) return settings;
  const block = `Agent "${agent.name}" instructions:\n${agent.instructions.trim()}`;
  return { ...settings, systemPrompt: settings.systemPrompt.trim() ? `${settings.systemPrompt.trim()}\n\n${block}` : block };
}

/** The sources the agent may draw on; null = the whole vault. */
export function agentScope(agent: AgentSnapshot | null): string[] | null {
  return agent?.scope === "sources" ? agent.sourceIds : null;
}
