import "server-only";
import { z } from "zod";
import { addProvider, listProviders, refreshProviderModels, removeProvider, setLocalTierProvider, setProviderPrices } from "@/server/providers/providers";
import { projectProcedure, router } from "@/server/trpc/init";

const providerId = z.uuid({ message: "is not a valid provider id" });
const micros = z.union([z.bigint(), z.number().int("must be a whole number of micro-USD"), z.string().regex(/^-?\d+$/, "must be a whole number of micro-USD")]);

/** providers.*: a project's own OpenAI-compatible providers, for its owner only (they hold a key and set prices every member pays by). */
export const providersRouter = router({
  list: projectProcedure("owner").query(({ ctx }) => listProviders(ctx.db, ctx.project.id)),

  add: projectProcedure("owner")
    .input(z.object({ name: z.string().max(200), baseUrl: z.string().trim().min(1, "is required").max(2000), apiKey: z.string().max(1000).nullish() }))
    .mutation(({ ctx, input }) => addProvider(ctx.db, { projectId: ctx.project.id, by: ctx.user.id, input })),

  refresh: projectProcedure("owner")
    .input(z.object({ providerId }))
    .mutation(({ ctx, input }) => refreshProviderModels(ctx.db, { projectId: ctx.project.id, providerId: input.providerId })),

  setPrices: projectProcedure("owner")
    .input(z.object({ providerId, prices: z.array(z.object({ modelId: z.uuid(), inputMicrosPerMTok: micros, outputMicrosPerMTok: micros })).max(200) }))
    .mutation(({ ctx, input }) => setProviderPrices(ctx.db, { projectId: ctx.project.id, providerId: input.providerId, prices: input.prices })),

  setLocalTier: projectProcedure("owner")
    .input(z.object({ modelId: z.uuid().nullable() }))
    .mutation(({ ctx, input }) => setLocalTierProvider(ctx.db, { projectId: ctx.project.id, modelId: input.modelId })),

  remove: projectProcedure("owner")
    .input(z.object({ providerId }))
    .mutation(({ ctx, input }) => removeProvider(ctx.db, { projectId: ctx.project.id, providerId: input.providerId })),
});
