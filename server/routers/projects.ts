import { z } from "zod";
import { createProject, deleteProject, listProjectsForUser, renameProject, setProjectArchived } from "@/server/projects/service";
import { projectProcedure, protectedProcedure, router } from "@/server/trpc/init";

const title = z.string().trim().min(1, "Give the project a name").max(120, "Keep the name under 120 characters");

export const projectsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listProjectsForUser(ctx.db, ctx.user.id)),

  create: protectedProcedure
    .input(z.object({ title, description: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => createProject(ctx.db, { ownerId: ctx.user.id, ...input })),

  get: projectProcedure("viewer").query(({ ctx }) => ({ project: ctx.project, role: ctx.member.role })),

  rename: projectProcedure("owner")
    .input(z.object({ title, description: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) => renameProject(ctx.db, input)),

  setArchived: projectProcedure("owner")
    .input(z.object({ archived: z.boolean() }))
    .mutation(({ ctx, input }) => setProjectArchived(ctx.db, { ...input, actorId: ctx.user.id })),

  delete: projectProcedure("owner")
    .input(z.object({ confirmTitle: z.string() }))
    .mutation(({ ctx, input }) => deleteProject(ctx.db, input)),
});
