import "server-only";
import { z } from "zod";
import { NOTIFY_CATEGORIES, NOTIFY_CHANNELS } from "@/db/schema";
import { MAIL_KIND_NAMES, type MailKind, mailChoices, setMailChoice } from "@/server/notify/mail-choices";
import { mentionCandidates } from "@/server/notify/mentions";
import { listBell, markRead, notificationPreferencesOf, setNotificationPreference, unreadCount } from "@/server/notify/notify";
import { projectProcedure, protectedProcedure, router } from "@/server/trpc/init";

/** notifications.*: always the caller's own; mention candidates are members of a project the caller reads. */
export const notificationsRouter = router({
  bell: protectedProcedure.query(({ ctx }) => listBell(ctx.db, ctx.user.id)),
  unread: protectedProcedure.query(({ ctx }) => unreadCount(ctx.db, ctx.user.id)),
  markRead: protectedProcedure
    .input(z.object({ notificationId: z.uuid({ message: "is not a valid notification id" }).optional() }))
    .mutation(({ ctx, input }) => markRead(ctx.db, { userId: ctx.user.id, notificationId: input.notificationId })),
  preferences: protectedProcedure.query(({ ctx }) => notificationPreferencesOf(ctx.db, ctx.user.id)),
  setPreference: protectedProcedure
    .input(z.object({ category: z.enum(NOTIFY_CATEGORIES), channel: z.enum(NOTIFY_CHANNELS) }))
    .mutation(({ ctx, input }) => setNotificationPreference(ctx.db, { userId: ctx.user.id, ...input })),
  mailChoices: protectedProcedure.query(({ ctx }) => mailChoices(ctx.db, { userId: ctx.user.id })),
  setMailChoice: protectedProcedure
    .input(z.object({ kind: z.enum(MAIL_KIND_NAMES as [MailKind, ...MailKind[]]), on: z.boolean() }))
    .mutation(({ ctx, input }) => setMailChoice(ctx.db, { userId: ctx.user.id, ...input })),
  mentionCandidates: projectProcedure("commenter")
    .input(z.object({ prefix: z.string().max(100) }))
    .query(({ ctx, input }) => mentionCandidates(ctx.db, { projectId: ctx.project.id, prefix: input.prefix })),
});
