import "server-only";
import { z } from "zod";
import { INVITE_ROLES } from "@/lib/roles";
import { listActivity, markActivitySeen, unreadActivityCount } from "@/server/activity/feed";
import { acceptInvite, createInvite, listOpenInvites, MAX_EXPIRY_HOURS, MAX_INVITE_USES, previewInvite, revokeInvite } from "@/server/collab/invites";
import { changeMemberQuota, changeMemberRole, leaveProject, listMembers, removeMember } from "@/server/collab/members";
import { usdToMicros } from "@/server/collab/usd";
import { acceptHandover, declineHandover, previewHandover } from "@/server/handover/accept";
import { cancelHandover, latestHandover, startHandover } from "@/server/handover/start";
import { projectProcedure, protectedProcedure, publicProcedure, router } from "@/server/trpc/init";

const role = z.enum(INVITE_ROLES, { message: "must be viewer, commenter or editor (a project has one owner; use handover)" });
/** Dollars as typed ("12.50") or a number; converted to micro-USD without floats by usdToMicros. */
const usd = z.union([z.string().max(32), z.number()]);
const token = z.string().max(200);
const userId = z.uuid({ message: "is not a valid user id" });

export const collabRouter = router({
  // ── invites ──
  createInvite: projectProcedure("owner")
    .input(
      z.object({
        role,
        quotaUsd: usd,
        expiresInHours: z
          .number()
          .int("must be whole hours")
          .min(1, "must be at least 1 hour")
          .max(MAX_EXPIRY_HOURS, `must be at most ${MAX_EXPIRY_HOURS} hours (90 days)`),
        maxUses: z.number().int().min(1, "must be at least 1").max(MAX_INVITE_USES, `must be at most ${MAX_INVITE_USES}`).optional(),
        email: z.email({ message: "is not an email address" }).max(320).nullish().or(z.literal("")),
      }),
    )
    .mutation(({ ctx, input }) =>
      createInvite(ctx.db, {
        projectId: input.projectId,
        hostId: ctx.user.id,
        role: input.role,
        quotaMicros: usdToMicros(input.quotaUsd),
        expiresInHours: input.expiresInHours,
        maxUses: input.maxUses,
        email: input.email || null,
      }),
    ),
  invites: projectProcedure("owner").query(({ ctx }) => listOpenInvites(ctx.db, { projectId: ctx.project.id })),
  revokeInvite: projectProcedure("owner")
    .input(z.object({ inviteId: z.uuid() }))
    .mutation(({ ctx, input }) => revokeInvite(ctx.db, { projectId: ctx.project.id, inviteId: input.inviteId, actorId: ctx.user.id })),
  /** /invite/<token>, signed in or not (rate-limited per IP on bad tokens). */
  invitePreview: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => previewInvite(ctx.db, { token: input.token, ip: ctx.ip, userId: ctx.user?.id ?? null })),
  acceptInvite: protectedProcedure
    .input(z.object({ token }))
    .mutation(({ ctx, input }) => acceptInvite(ctx.db, { token: input.token, userId: ctx.user.id, ip: ctx.ip })),

  // ── members ──
  members: projectProcedure("viewer").query(({ ctx }) =>
    listMembers(ctx.db, { projectId: ctx.project.id, viewerId: ctx.user.id, viewerRole: ctx.member.role }),
  ),
  changeRole: projectProcedure("owner")
    .input(z.object({ userId, role }))
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, { projectId: ctx.project.id, actorId: ctx.user.id, userId: input.userId, role: input.role })),
  changeQuota: projectProcedure("owner")
    .input(z.object({ userId, quotaUsd: usd }))
    .mutation(({ ctx, input }) =>
      changeMemberQuota(ctx.db, { projectId: ctx.project.id, actorId: ctx.user.id, userId: input.userId, quotaMicros: usdToMicros(input.quotaUsd) }),
    ),
  removeMember: projectProcedure("owner")
    .input(z.object({ userId }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, { projectId: ctx.project.id, actorId: ctx.user.id, userId: input.userId })),
  leave: projectProcedure("viewer").mutation(({ ctx }) => leaveProject(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id })),

  // ── activity ──
  activity: projectProcedure("viewer")
    .input(z.object({ limit: z.number().int().min(1).max(100).optional(), before: z.date().optional() }))
    .query(({ ctx, input }) => listActivity(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id, limit: input.limit, before: input.before })),
  unreadActivity: projectProcedure("viewer").query(({ ctx }) => unreadActivityCount(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id })),
  markActivitySeen: projectProcedure("viewer").mutation(({ ctx }) => markActivitySeen(ctx.db, { projectId: ctx.project.id, userId: ctx.user.id })),

  // ── handover ──
  startHandover: projectProcedure("owner")
    .input(
      z.object({
        toEmail: z.email({ message: "is not an email address" }).max(320),
        includeKnowledge: z.boolean(),
        includeAdapters: z.boolean(),
        previousOwnerLeaves: z.boolean(),
        message: z.string().max(2000, "must be under 2,000 characters"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // The token goes only into the recipient's mail, never back to the owner's browser.
      const { handover } = await startHandover(ctx.db, { ...input, fromUserId: ctx.user.id });
      return handover;
    }),
  /** Any member may ask; only the handovers they started come back (the previous owner keeps seeing theirs). */
  handover: projectProcedure("viewer").query(({ ctx }) => latestHandover(ctx.db, { projectId: ctx.project.id, viewerId: ctx.user.id })),
  cancelHandover: projectProcedure("owner")
    .input(z.object({ handoverId: z.uuid() }))
    .mutation(({ ctx, input }) => cancelHandover(ctx.db, { projectId: ctx.project.id, handoverId: input.handoverId, actorId: ctx.user.id })),
  /** /handover/<token>: the details only for the signed-in, verified recipient. */
  handoverPreview: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => previewHandover(ctx.db, { token: input.token, ip: ctx.ip, userId: ctx.user?.id ?? null })),
  /** The recipient accepts, with a keep-or-revoke decision for each open invite link and member quota. */
  acceptHandover: protectedProcedure
    .input(
      z.object({
        token,
        decisions: z
          .object({
            invites: z.array(z.object({ inviteId: z.uuid(), keep: z.boolean() })).max(1000),
            quotas: z.array(z.object({ userId, keep: z.boolean() })).max(1000),
          })
          .optional(),
      }),
    )
    .mutation(({ ctx, input }) => acceptHandover(ctx.db, { token: input.token, userId: ctx.user.id, ip: ctx.ip, decisions: input.decisions })),
  /** The addressee says no: nothing changes but the handover's state; the owner hears of it. */
  declineHandover: protectedProcedure
    .input(z.object({ token }))
    .mutation(({ ctx, input }) => declineHandover(ctx.db, { token: input.token, userId: ctx.user.id, ip: ctx.ip })),
});
