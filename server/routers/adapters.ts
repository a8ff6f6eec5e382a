import "server-only";
import { z } from "zod";
import { roleAtLeast } from "@/lib/roles";
import { deleteAdapter, listAdapters, updateAdapter } from "@/server/adapters/registry";
import { selectAdapter } from "@/server/adapters/selection";
import { storageOf } from "@/server/knowledge/storage";
import { getStorage } from "@/server/storage/store";
import { projectProcedure, router } from "@/server/trpc/init";

const uuid = (what: string) => z.uuid({ message: `is not a valid ${what} id` });
const target = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("project") }),
  z.object({ kind: z.literal("agent"), agentId: uuid("agent") }),
  z.object({ kind: z.literal("chat"), chatId: uuid("chat") }),
]);

/** adapters.*: every member sees the registry; editors and owners rename, map, select and delete (uploads go through /api/adapters/upload). */
export const adaptersRouter = router({
  list: projectProcedure("viewer").query(async ({ ctx }) => ({
    adapters: await listAdapters(ctx.db, { projectId: ctx.project.id }),
    storage: await storageOf(ctx.db, { projectId: ctx.project.id }),
    selectedForProject: ctx.project.settings.adapterId ?? null,
    canEdit: roleAtLeast(ctx.member.role, "editor"),
  })),

  update: projectProcedure("editor")
    .input(
      z.object({
        adapterId: uuid("adapter"),
        name: z.string().trim().min(1, "give the adapter a name").max(200).optional(),
        servedName: z.string().trim().min(1, "enter the model name your local server uses for it").max(120).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateAdapter(ctx.db, { projectId: ctx.project.id, adapterId: input.adapterId, name: input.name, servedName: input.servedName })),

  select: projectProcedure("editor")
    .input(z.object({ target, adapterId: uuid("adapter").nullable() }))
    .mutation(async ({ ctx, input }) => {
      await selectAdapter(ctx.db, { projectId: ctx.project.id, target: input.target, adapterId: input.adapterId });
      return { ok: true as const };
    }),

  delete: projectProcedure("editor")
    .input(z.object({ adapterId: uuid("adapter") }))
    .mutation(async ({ ctx, input }) => {
      await deleteAdapter(ctx.db, getStorage(), { projectId: ctx.project.id, adapterId: input.adapterId, actorId: ctx.user.id });
      return { ok: true as const };
    }),
});
