import "server-only";
import { z } from "zod";
import { searchMessages } from "@/server/search/messages";
import { searchPalette } from "@/server/search/palette";
import { projectProcedure, protectedProcedure, router } from "@/server/trpc/init";

const query = z.string().max(500, "is too long (500 characters at most)");
const limit = z.number().int().min(1).max(50).optional();

/**
 * search.*: what a person can read and nothing else. `project*` are for
 * members of that project (any role); `everywhere*` span every project the
 * caller is a member of — the membership is in the query's `where`.
 */
export const searchRouter = router({
  projectMessages: projectProcedure("viewer")
    .input(z.object({ query, limit }))
    .query(({ ctx, input }) => searchMessages(ctx.db, { userId: ctx.user.id, projectId: ctx.project.id, query: input.query, limit: input.limit })),

  everywhereMessages: protectedProcedure
    .input(z.object({ query, limit }))
    .query(({ ctx, input }) => searchMessages(ctx.db, { userId: ctx.user.id, query: input.query, limit: input.limit })),

  projectPalette: projectProcedure("viewer")
    .input(z.object({ query }))
    .query(({ ctx, input }) => searchPalette(ctx.db, { userId: ctx.user.id, projectId: ctx.project.id, query: input.query })),

  everywherePalette: protectedProcedure
    .input(z.object({ query }))
    .query(({ ctx, input }) => searchPalette(ctx.db, { userId: ctx.user.id, query: input.query })),
});
