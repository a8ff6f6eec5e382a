import "server-only";
import { z } from "zod";
import { getPreferences, recentSecurityEvents, updatePreferences } from "@/server/account/preferences";
import { isTimeZone } from "@/lib/datetime";
import { deletionState, scheduleDeletion } from "@/server/account/deletion";
import { createDownloadLink, latestExport, requestExport } from "@/server/account/export";
import { getProfile, renameUser } from "@/server/account/profile";
import { protectedProcedure, router } from "@/server/trpc/init";

export const accountRouter = router({
  preferences: protectedProcedure.query(({ ctx }) => getPreferences(ctx.db, { userId: ctx.user.id })),

  updatePreferences: protectedProcedure
    .input(
      z.object({
        language: z.string().trim().min(2, "Pick a language").max(40).optional(),
        // a zone the runtime knows, or dates would silently fall back to UTC
        timezone: z.string().trim().min(1).max(64).refine(isTimeZone, "Pick a time zone from the list, such as Europe/Berlin.").optional(),
        verbosity: z.enum(["concise", "normal", "detailed"]).optional(),
        tone: z.enum(["neutral", "friendly", "formal"]).optional(),
        theme: z.enum(["system", "light", "dark"]).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updatePreferences(ctx.db, { userId: ctx.user.id, changes: input })),

  profile: protectedProcedure.query(({ ctx }) => getProfile(ctx.db, { userId: ctx.user.id })),

  rename: protectedProcedure.input(z.object({ name: z.string().max(200) })).mutation(({ ctx, input }) => renameUser(ctx.db, { userId: ctx.user.id, name: input.name })),

  requestExport: protectedProcedure.mutation(({ ctx }) => requestExport(ctx.db, { userId: ctx.user.id })),
  latestExport: protectedProcedure.query(({ ctx }) => latestExport(ctx.db, { userId: ctx.user.id })),
  exportDownloadLink: protectedProcedure
    .input(z.object({ exportId: z.uuid() }))
    .mutation(({ ctx, input }) => createDownloadLink(ctx.db, { userId: ctx.user.id, exportId: input.exportId })),

  deletion: protectedProcedure.query(({ ctx }) => deletionState(ctx.db, { userId: ctx.user.id })),
  scheduleDeletion: protectedProcedure
    .input(z.object({ confirmEmail: z.string().max(320) }))
    .mutation(({ ctx, input }) => scheduleDeletion(ctx.db, { userId: ctx.user.id, confirmEmail: input.confirmEmail })),

  securityEvents: protectedProcedure.query(({ ctx }) => recentSecurityEvents(ctx.db, { userId: ctx.user.id })),
});
