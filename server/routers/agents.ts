import "server-only";
import { z } from "zod";
import { AGENT_SCOPES, AGENT_TIERS } from "@/db/schema";
import { archiveAgent, createAgent, listAgents, updateAgent } from "@/server/agents/agents";
import { projectProcedure, router } from "@/server/trpc/init";

const uuid = (what: string) => z.uuid({ message: `is not a valid ${what} id` });

/** An agent's settings; the domain checks what needs the database (the model, the sources). */
const agentInput = z.object({
  name: z.string().trim().min(1, "give the agent a name").max(80, "is too long (80 characters at most)"),
  instructions: z.string().max(20_000, "are too long (20,000 characters at most)"),
  defaultTier: z.enum(AGENT_TIERS),
  defaultModel: z.string().trim().min(1).max(100).nullable(),
  temperature: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").nullable(),
  maxTokens: z.number().int("must be a whole number").min(1, "must be at least 1").max(32_000, "must be at most 32,000").nullable(),
  scope: z.enum(AGENT_SCOPES),
  sourceIds: z.array(uuid("source")).max(200, "at most 200 sources"),
});

/** agents.*: every member sees the project's agents; editors create, edit and archive them (docs/chat.md#agents). */
export const agentsRouter = router({
  list: projectProcedure("viewer").query(({ ctx }) => listAgents(ctx.db, { projectId: ctx.project.id })),

  create: projectProcedure("editor")
    .input(z.object({ agent: agentInput }))
    .mutation(({ ctx, input }) => createAgent(ctx.db, { projectId: ctx.project.id, by: ctx.user.id, input: input.agent })),

  update: projectProcedure("editor")
    .input(z.object({ agentId: uuid("agent"), agent: agentInput }))
    .mutation(({ ctx, input }) => updateAgent(ctx.db, { projectId: ctx.project.id, agentId: input.agentId, by: ctx.user.id, input: input.agent })),

  archive: projectProcedure("editor")
    .input(z.object({ agentId: uuid("agent") }))
    .mutation(({ ctx, input }) => archiveAgent(ctx.db, { projectId: ctx.project.id, agentId: input.agentId, by: ctx.user.id })),
});
