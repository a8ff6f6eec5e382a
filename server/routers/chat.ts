import "server-only";
import { z } from "zod";
import { DEFAULT_PROJECT_SETTINGS } from "@/db/schema";
import { escalationStatus } from "@/server/ai/escalation-status";
import { archiveBranch, forkBranch, getProjectBranch, renameBranch, switchSibling } from "@/server/chat/branches";
import { listChats, renameChat, setChatArchived } from "@/server/chat/chats";
import { trashChat } from "@/server/chat/trash";
import { exportBranchMarkdown, exportTree } from "@/server/chat/export";
import { setFeedback } from "@/server/chat/feedback";
import { setChatAgent } from "@/server/agents/agents";
import { getAnswerDetails } from "@/server/chat/answer-details";
import { estimateTurnHold } from "@/server/chat/hold-estimate";
import { createChatWithChoice, listModelChoices, setChatModelChoice } from "@/server/chat/model-choice";
import { requestStop } from "@/server/chat/stream/stop";
import { getThread } from "@/server/chat/thread";
import { projectProcedure, router } from "@/server/trpc/init";
import { roleAtLeast } from "@/lib/roles";

const uuid = (what: string) => z.uuid({ message: `is not a valid ${what} id` });
const modelId = z.string().trim().min(1, "cannot be empty").max(100, "is too long");
const modelChoice = z.discriminatedUnion("tier", [
  z.object({ tier: z.literal("auto") }),
  z.object({ tier: z.literal("local") }),
  z.object({ tier: z.literal("cloud"), model: modelId }),
]);
const title = z.string().trim().min(1, "cannot be empty").max(120, "is too long (120 characters at most)");

/** chat.*: thin over server/chat; viewer reads, commenter gives feedback, editor writes (docs/collaboration.md#roles). */
export const chatRouter = router({
  list: projectProcedure("viewer").query(({ ctx }) => listChats(ctx.db, { projectId: ctx.project.id })),

  create: projectProcedure("editor")
    .input(z.object({ title: title.optional(), choice: modelChoice.optional(), agentId: uuid("agent").nullish() }))
    .mutation(({ ctx, input }) =>
      createChatWithChoice(ctx.db, { projectId: ctx.project.id, by: ctx.user.id, title: input.title, choice: input.choice, agentId: input.agentId }),
    ),

  rename: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat"), title }))
    .mutation(({ ctx, input }) => renameChat(ctx.db, { projectId: ctx.project.id, chatId: input.chatId, title: input.title })),

  setArchived: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat"), archived: z.boolean() }))
    .mutation(({ ctx, input }) => setChatArchived(ctx.db, { projectId: ctx.project.id, chatId: input.chatId, archived: input.archived, by: ctx.user.id })),

  /** Deleting a chat moves it to the project's trash for 30 days (trash.* restores it). */
  delete: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat") }))
    .mutation(({ ctx, input }) => trashChat(ctx.db, { projectId: ctx.project.id, chatId: input.chatId, by: ctx.user.id })),

  thread: projectProcedure("viewer")
    .input(z.object({ chatId: uuid("chat"), branchId: uuid("branch").nullish(), messageId: uuid("message").nullish() }))
    .query(({ ctx, input }) => getThread(ctx.db, { ...input, projectId: ctx.project.id })),

  switchSibling: projectProcedure("viewer")
    .input(z.object({ chatId: uuid("chat"), branchId: uuid("branch"), messageId: uuid("message") }))
    // Picking a sibling is reading; only an editor's pick may leave a new branch pointer behind.
    .mutation(({ ctx, input }) =>
      switchSibling(ctx.db, { ...input, projectId: ctx.project.id, by: ctx.user.id, mayCreate: roleAtLeast(ctx.member.role, "editor") }),
    ),

  fork: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat"), messageId: uuid("message"), title: title.optional() }))
    .mutation(async ({ ctx, input }) => {
      const branch = await forkBranch(ctx.db, { ...input, projectId: ctx.project.id, by: ctx.user.id });
      return { branchId: branch.id };
    }),

  renameBranch: projectProcedure("editor")
    .input(z.object({ branchId: uuid("branch"), title }))
    .mutation(({ ctx, input }) => renameBranch(ctx.db, { ...input, projectId: ctx.project.id })),

  archiveBranch: projectProcedure("editor")
    .input(z.object({ branchId: uuid("branch"), archived: z.boolean() }))
    .mutation(({ ctx, input }) => archiveBranch(ctx.db, { ...input, projectId: ctx.project.id })),

  feedback: projectProcedure("commenter")
    .input(z.object({ messageId: uuid("message"), value: z.enum(["good", "bad"]).nullable() }))
    .mutation(({ ctx, input }) => setFeedback(ctx.db, { ...input, projectId: ctx.project.id })),

  stop: projectProcedure("editor")
    .input(z.object({ streamId: uuid("stream") }))
    .mutation(({ ctx, input }) => requestStop(ctx.db, { projectId: ctx.project.id, streamId: input.streamId })),

  exportMarkdown: projectProcedure("viewer")
    .input(z.object({ chatId: uuid("chat"), branchId: uuid("branch") }))
    .query(async ({ ctx, input }) => {
      await getProjectBranch(ctx.db, { projectId: ctx.project.id, branchId: input.branchId });
      return exportBranchMarkdown(ctx.db, { ...input, projectId: ctx.project.id });
    }),

  exportTree: projectProcedure("viewer")
    .input(z.object({ chatId: uuid("chat") }))
    .query(({ ctx, input }) => exportTree(ctx.db, { projectId: ctx.project.id, chatId: input.chatId })),

  /** "Why this answer": the answer's trace (server/chat/answer-details.ts); whoever may read the chat. */
  details: projectProcedure("viewer")
    .input(z.object({ messageId: uuid("message") }))
    .query(({ ctx, input }) => getAnswerDetails(ctx.db, { projectId: ctx.project.id, messageId: input.messageId })),

  setAgent: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat"), agentId: uuid("agent").nullable() }))
    .mutation(({ ctx, input }) => setChatAgent(ctx.db, { projectId: ctx.project.id, chatId: input.chatId, agentId: input.agentId })),

  models: projectProcedure("viewer").query(({ ctx }) => listModelChoices(ctx.db, ctx.project.id)),

  setModel: projectProcedure("editor")
    .input(z.object({ chatId: uuid("chat"), choice: modelChoice }))
    .mutation(({ ctx, input }) => setChatModelChoice(ctx.db, { chatId: input.chatId, choice: input.choice, projectId: ctx.project.id })),

  /** The hold a turn would take, from the guard's own bound (server/chat/hold-estimate.ts); editor, like sending. */
  estimate: projectProcedure("editor")
    .input(
      z.object({
        chatId: uuid("chat").nullable(),
        parentId: uuid("message").nullish(),
        answerTo: uuid("message").nullish(),
        content: z.string().max(200_000, "is too long").nullish(),
        tier: z.enum(["local", "cloud", "auto"]),
        model: modelId.nullish(),
        maxTokens: z.number().int().min(1).max(32_000).nullish(),
        agentId: uuid("agent").nullish(),
      }),
    )
    .query(({ ctx, input: { projectId: _projectId, ...input } }) =>
      estimateTurnHold(ctx.db, { ...input, projectId: ctx.project.id, userId: ctx.user.id, settings: { ...DEFAULT_PROJECT_SETTINGS, ...ctx.project.settings } }),
    ),

  escalationStatus: projectProcedure("viewer").query(({ ctx }) =>
    escalationStatus(ctx.db, { projectId: ctx.project.id, settings: { ...DEFAULT_PROJECT_SETTINGS, ...ctx.project.settings } }),
  ),
});
