import "server-only";
import { z } from "zod";
import { addPastedText, addUrlSource, deleteSource, getSourceView, listSources, retrySource } from "@/server/knowledge/sources";
import { kickProcessing } from "@/server/knowledge/process";
import { searchVault } from "@/server/knowledge/search";
import { storageOf } from "@/server/knowledge/storage";
import { roleAtLeast } from "@/lib/roles";
import { projectProcedure, router } from "@/server/trpc/init";

const sourceInput = z.object({ sourceId: z.uuid({ message: "is not a valid source id" }) });

/** The knowledge vault (docs/knowledge.md): members read; editors and owners add, retry and delete. Files upload via /api/knowledge/upload. */
export const knowledgeRouter = router({
  list: projectProcedure("viewer").query(async ({ ctx }) => ({
    sources: await listSources(ctx.db, { projectId: ctx.project.id }),
    storage: await storageOf(ctx.db, { projectId: ctx.project.id }),
    canEdit: roleAtLeast(ctx.member.role, "editor"),
  })),

  source: projectProcedure("viewer")
    .input(sourceInput)
    .query(({ ctx, input }) => getSourceView(ctx.db, { projectId: ctx.project.id, sourceId: input.sourceId })),

  search: projectProcedure("viewer")
    .input(z.object({ query: z.string().trim().min(1, "type something to search for").max(500) }))
    .query(({ ctx, input }) => searchVault(ctx.db, { projectId: ctx.project.id, query: input.query })),

  paste: projectProcedure("editor")
    .input(z.object({ title: z.string().trim().min(1, "give the note a title").max(200), text: z.string().min(1, "paste some text") }))
    .mutation(async ({ ctx, input }) => {
      const result = await addPastedText(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id, title: input.title, text: input.text });
      kickProcessing(ctx.db);
      return { sourceId: result.source.id, duplicate: result.duplicate };
    }),

  fetchUrl: projectProcedure("editor")
    .input(z.object({ url: z.string().trim().min(1, "enter a link").max(2_000) }))
    .mutation(async ({ ctx, input }) => {
      const result = await addUrlSource(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id, url: input.url });
      kickProcessing(ctx.db);
      return { sourceId: result.source.id, duplicate: result.duplicate };
    }),

  retry: projectProcedure("editor")
    .input(sourceInput)
    .mutation(async ({ ctx, input }) => {
      await retrySource(ctx.db, { projectId: ctx.project.id, sourceId: input.sourceId });
      kickProcessing(ctx.db);
      return { ok: true as const };
    }),

  delete: projectProcedure("editor")
    .input(sourceInput)
    .mutation(async ({ ctx, input }) => {
      await deleteSource(ctx.db, { projectId: ctx.project.id, sourceId: input.sourceId, actorId: ctx.user.id });
      return { ok: true as const };
    }),
});
