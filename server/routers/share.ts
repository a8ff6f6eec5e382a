import "server-only";
import { z } from "zod";
import { SHARE_MODES } from "@/db/schema";
import { copySharedChat, createShareLink, listShareLinks, revokeShareLink, viewShareLink } from "@/server/share/links";
import { projectProcedure, publicProcedure, router } from "@/server/trpc/init";

const uuid = (what: string) => z.uuid({ message: `is not a valid ${what} id` });
const token = z.string().min(1, "is missing").max(200, "is not a share link");

/**
 * share.*: read-only links to a branch or a chat tree (docs/sharing.md).
 * Editors share and end their own links; the owner sees and ends every one;
 * anyone with a link reads it; a signed-in editor copies it into a project.
 */
export const shareRouter = router({
  create: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat"), branchId: uuid("branch").nullish(), mode: z.enum(SHARE_MODES), expiresInDays: z.number().int().min(1).max(365).nullish() }))
    .mutation(({ ctx, input }) => createShareLink(ctx.db, { ...input, projectId: ctx.project.id, by: ctx.user.id })),

  list: projectProcedure("editor").query(({ ctx }) => listShareLinks(ctx.db, { projectId: ctx.project.id, viewerId: ctx.user.id, role: ctx.member.role })),

  revoke: projectProcedure("editor")
    .input(z.object({ linkId: uuid("share link") }))
    .mutation(({ ctx, input }) => revokeShareLink(ctx.db, { projectId: ctx.project.id, linkId: input.linkId, by: ctx.user.id, role: ctx.member.role })),

  /** No sign-in: the token is the permission; unknown tokens are rate limited by address. */
  view: publicProcedure.input(z.object({ token })).query(({ ctx, input }) => viewShareLink(ctx.db, { token: input.token, ip: ctx.ip, viewerId: ctx.user?.id })),

  /** Continue as a copy: into a project where the caller may write (the role check is on that project). */
  copy: projectProcedure("editor")
    .input(z.object({ token, tipId: uuid("message").nullish() }))
    .mutation(({ ctx, input }) => copySharedChat(ctx.db, { token: input.token, ip: ctx.ip, userId: ctx.user.id, projectId: ctx.project.id, tipId: input.tipId })),
});
