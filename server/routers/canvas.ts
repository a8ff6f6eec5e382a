import "server-only";
import { z } from "zod";
import { getBoard, getMessageText } from "@/server/canvas/board";
import { getChanges } from "@/server/canvas/changes";
import { addComment, deleteComment, editComment, listComments, setResolved } from "@/server/canvas/comments";
import { createEdge, deleteEdge, edgeStyleSchema, updateEdge } from "@/server/canvas/edges";
import { canvasKey } from "@/server/canvas/board-keys";
import { addNote, deleteNote, editNote, moveNodes, setLocked } from "@/server/canvas/nodes";
import { projectProcedure, router } from "@/server/trpc/init";

// zod 4's number() already refuses NaN and ±Infinity; the domain checks again for other callers
const coordinate = z.number({ message: "must be a finite number" });
const uuid = (what: string) => z.uuid({ message: `is not a valid ${what} id` });
const movableKey = canvasKey(["m", "s", "n", "c"]);
const linkableKey = canvasKey(["m", "s", "n"]);

/** The board (docs/canvas.md) by role (docs/collaboration.md#roles): viewers read, commenters comment, editors edit. */
export const canvasRouter = router({
  board: projectProcedure("viewer").query(async ({ ctx }) => ({ ...(await getBoard(ctx.db, { projectId: ctx.project.id })), role: ctx.member.role, userId: ctx.user.id })),

  changes: projectProcedure("viewer")
    .input(z.object({ since: z.date(), watch: z.array(z.uuid()).max(500).default([]) }))
    .query(({ ctx, input }) => getChanges(ctx.db, { projectId: ctx.project.id, since: input.since, watch: input.watch })),

  messageText: projectProcedure("viewer")
    .input(z.object({ messageId: uuid("message") }))
    .query(({ ctx, input }) => getMessageText(ctx.db, { projectId: ctx.project.id, messageId: input.messageId })),

  moveNodes: projectProcedure("editor")
    .input(z.object({ moves: z.array(z.object({ key: movableKey, x: coordinate, y: coordinate })).min(1).max(1000) }))
    .mutation(({ ctx, input }) => moveNodes(ctx.db, { projectId: ctx.project.id, actorId: ctx.user.id, moves: input.moves })),

  setLocked: projectProcedure("editor")
    .input(z.object({ key: movableKey, locked: z.boolean(), x: coordinate, y: coordinate }))
    .mutation(({ ctx, input }) => setLocked(ctx.db, { ...input, projectId: ctx.project.id, actorId: ctx.user.id })),

  addNote: projectProcedure("editor")
    .input(z.object({ text: z.string().max(4_000), x: coordinate, y: coordinate }))
    .mutation(({ ctx, input }) => addNote(ctx.db, { ...input, projectId: ctx.project.id, actorId: ctx.user.id })),

  editNote: projectProcedure("editor")
    .input(z.object({ noteId: uuid("note"), text: z.string().max(4_000) }))
    .mutation(({ ctx, input }) => editNote(ctx.db, { ...input, projectId: ctx.project.id })),

  deleteNote: projectProcedure("editor")
    .input(z.object({ noteId: uuid("note") }))
    .mutation(({ ctx, input }) => deleteNote(ctx.db, { projectId: ctx.project.id, noteId: input.noteId })),

  createEdge: projectProcedure("editor")
    .input(z.object({ fromKey: linkableKey, toKey: linkableKey, label: z.string().max(200).default(""), style: edgeStyleSchema.default({}) }))
    .mutation(({ ctx, input }) => createEdge(ctx.db, { ...input, projectId: ctx.project.id, actorId: ctx.user.id })),

  updateEdge: projectProcedure("editor")
    .input(z.object({ edgeId: uuid("edge"), label: z.string().max(200).optional(), style: edgeStyleSchema.optional() }))
    .mutation(({ ctx, input }) => updateEdge(ctx.db, { ...input, projectId: ctx.project.id })),

  deleteEdge: projectProcedure("editor")
    .input(z.object({ edgeId: uuid("edge") }))
    .mutation(({ ctx, input }) => deleteEdge(ctx.db, { projectId: ctx.project.id, edgeId: input.edgeId })),

  comments: projectProcedure("viewer")
    .input(z.object({ targetKey: linkableKey }))
    .query(({ ctx, input }) => listComments(ctx.db, { projectId: ctx.project.id, targetKey: input.targetKey })),

  addComment: projectProcedure("commenter")
    .input(z.object({ targetKey: linkableKey, body: z.string().max(5_000), threadId: uuid("comment").nullish() }))
    .mutation(({ ctx, input }) => addComment(ctx.db, { ...input, projectId: ctx.project.id, actorId: ctx.user.id })),

  editComment: projectProcedure("commenter")
    .input(z.object({ commentId: uuid("comment"), body: z.string().max(5_000) }))
    .mutation(({ ctx, input }) => editComment(ctx.db, { ...input, projectId: ctx.project.id, actorId: ctx.user.id })),

  resolveComment: projectProcedure("commenter")
    .input(z.object({ commentId: uuid("comment"), resolved: z.boolean() }))
    .mutation(({ ctx, input }) => setResolved(ctx.db, { ...input, projectId: ctx.project.id, actorId: ctx.user.id })),

  deleteComment: projectProcedure("commenter")
    .input(z.object({ commentId: uuid("comment") }))
    .mutation(({ ctx, input }) =>
      deleteComment(ctx.db, { projectId: ctx.project.id, actorId: ctx.user.id, actorRole: ctx.member.role, commentId: input.commentId }),
    ),
});
