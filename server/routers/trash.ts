import "server-only";
import { z } from "zod";
import { listTrash, purgeTrashItem, restoreTrashItem, trashChat, trashMessage } from "@/server/chat/trash";
import { projectProcedure, router } from "@/server/trpc/init";

const uuid = (what: string) => z.uuid({ message: `is not a valid ${what} id` });

/**
 * trash.*: thin over server/chat/trash.ts. Editors move things to the trash,
 * see it and restore from it; only the owner deletes for good
 * (docs/chat.md#trash). Viewers and commenters never see what is in it.
 */
export const trashRouter = router({
  list: projectProcedure("editor").query(({ ctx }) => listTrash(ctx.db, { projectId: ctx.project.id })),

  moveMessage: projectProcedure("editor")
    .input(z.object({ messageId: uuid("message") }))
    .mutation(({ ctx, input }) => trashMessage(ctx.db, { projectId: ctx.project.id, messageId: input.messageId, by: ctx.user.id })),

  moveChat: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat") }))
    .mutation(({ ctx, input }) => trashChat(ctx.db, { projectId: ctx.project.id, chatId: input.chatId, by: ctx.user.id })),

  restore: projectProcedure("editor")
    .input(z.object({ trashId: uuid("trash item") }))
    .mutation(({ ctx, input }) => restoreTrashItem(ctx.db, { projectId: ctx.project.id, trashId: input.trashId, by: ctx.user.id })),

  deleteForever: projectProcedure("owner")
    .input(z.object({ trashId: uuid("trash item") }))
    .mutation(({ ctx, input }) => purgeTrashItem(ctx.db, { projectId: ctx.project.id, trashId: input.trashId })),
});
