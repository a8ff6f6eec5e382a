import "server-only";
import { z } from "zod";
import { getPreferences, recentSecurityEvents, updatePreferences } from "@/server/account/preferences";
import { protectedProcedure, router } from "@/server/trpc/init";

export const accountRouter = router({
  preferences: protectedProcedure.query(({ ctx }) => getPreferences(ctx.db, { userId: ctx.user.id })),

  updatePreferences: protectedProcedure
    .input(
      z.object({
        language: z.string().trim().min(2, "Pick a language").max(40).optional(),
        timezone: z.string().trim().min(1).max(64).optional(),
        verbosity: z.enum(["concise", "normal", "detailed"]).optional(),
        tone: z.enum(["neutral", "friendly", "formal"]).optional(),
        theme: z.enum(["system", "light", "dark"]).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updatePreferences(ctx.db, { userId: ctx.user.id, changes: input })),

  securityEvents: protectedProcedure.query(({ ctx }) => recentSecurityEvents(ctx.db, { userId: ctx.user.id })),
});
