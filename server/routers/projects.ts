import "server-only";
import { z } from "zod";
import { ESCALATION_POLICIES } from "@/db/schema";
import { listCloudModels } from "@/server/projects/cloud-models";
import { createProject, deleteProject, listProjectsForUser, renameProject, setProjectArchived, updateProjectSettings } from "@/server/projects/service";
import { projectProcedure, protectedProcedure, router } from "@/server/trpc/init";

const title = z.string().trim().min(1, "Give the project a name").max(120, "Keep the name under 120 characters");

export const projectsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listProjectsForUser(ctx.db, { userId: ctx.user.id })),

  create: protectedProcedure
    .input(z.object({ title, description: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => createProject(ctx.db, { ownerId: ctx.user.id, ...input })),

  cloudModels: protectedProcedure.query(({ ctx }) => listCloudModels(ctx.db)),

  get: projectProcedure("viewer").query(({ ctx }) => ({ project: ctx.project, role: ctx.member.role })),

  rename: projectProcedure("owner")
    .input(z.object({ title, description: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => renameProject(ctx.db, input)),

  setArchived: projectProcedure("owner")
    .input(z.object({ archived: z.boolean() }))
    .mutation(({ ctx, input }) => setProjectArchived(ctx.db, { ...input, actorId: ctx.user.id })),

  /** Editors may change settings (policy, prompt, constraints): docs/collaboration.md#roles. */
  updateSettings: projectProcedure("editor")
    .input(
      z.object({
        escalationPolicy: z.enum(ESCALATION_POLICIES).optional(),
        defaultCloudModel: z.string().max(100).nullable().optional(),
        systemPrompt: z.string().max(8000, "Keep the system prompt under 8,000 characters").optional(),
        constraints: z.string().max(8000, "Keep the constraints under 8,000 characters").optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { projectId, ...changes } = input;
      return updateProjectSettings(ctx.db, { projectId, actorId: ctx.user.id, changes });
    }),

  delete: projectProcedure("owner")
    .input(z.object({ confirmTitle: z.string() }))
    .mutation(({ ctx, input }) => deleteProject(ctx.db, input)),
});
