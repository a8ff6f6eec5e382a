import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { chats, DEFAULT_PROJECT_SETTINGS } from "@/db/schema";
import { cloudConfigured, cloudNotConfiguredError } from "@/server/ai/escalation-status";
import { defaultCloudModel } from "@/server/ai/model-prices";
import { estimateTokens } from "@/server/ai/types";
import { type CloudReservation, releaseReservation, reserveCloudBudget } from "@/server/billing/guard";
import { AppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";
import { readPath } from "../tree";
import { findStreamByRequest, prepareTurn, type Turn } from "../turns";
import { billingRequestId, DEFAULT_MAX_TOKENS, launchProducer } from "./producer";

/** The body of POST /api/chat (DESIGN §5, plus the optional branchId of CONTRACTS). */
export const chatRequestSchema = z.object({
  requestId: z.string().min(8, "must be a client-made id of at least 8 characters").max(200),
  chatId: z.uuid({ message: "is not a valid chat id" }),
  branchId: z.uuid({ message: "is not a valid branch id" }).nullish(),
  parentId: z.uuid({ message: "is not a valid message id" }).nullish(),
  content: z.string().max(200_000, "is too long").nullish(),
  answerTo: z.uuid({ message: "is not a valid message id" }).nullish(),
  tier: z.enum(["local", "cloud", "auto"]).default("auto"),
  model: z.string().min(1).max(100).nullish(),
  maxTokens: z.number().int().min(1).max(32_000).nullish(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Room for the retrieved sources in the pre-call estimate; settle uses the real count. */
const SOURCES_TOKEN_ALLOWANCE = 4_000;

/**
 * The domain half of POST /api/chat: role → idempotent replay → budget →
 * persist → produce (detached). Returns the stream to tail.
 */
export async function startChatTurn(db: Db, { userId, request }: { userId: string; request: ChatRequest }): Promise<Turn> {
  // Independent reads together: on Postgres they go out on separate pool connections.
  const [[chat], existing] = await Promise.all([
    db.select({ projectId: chats.projectId }).from(chats).where(eq(chats.id, request.chatId)).limit(1),
    findStreamByRequest(db, { by: userId, requestId: request.requestId }),
  ]);
  if (!chat) throw new AppError("not_found:chat", "This chat does not exist (it may have been deleted).");
  const { project } = await requireProjectRole(db, { projectId: chat.projectId, userId, minimum: "editor" });

  if (existing) return prepareTurn(db, { ...request, projectId: project.id, by: userId });

  let reservation: CloudReservation | null = null;
  let model: string | null = request.model ?? null;
  if (request.tier === "cloud") {
    const settings = { ...DEFAULT_PROJECT_SETTINGS, ...project.settings };
    const chosen = model ?? settings.defaultCloudModel;
    // Three independent reads at once: they sit on the path to the first token.
    const [configured, resolvedModel, promptTokens] = await Promise.all([
      cloudConfigured(db, { projectId: project.id }),
      chosen ? Promise.resolve(chosen) : defaultCloudModel(db),
      promptEstimate(db, request),
    ]);
    if (!configured) throw cloudNotConfiguredError();
    model = resolvedModel;
    reservation = await reserveCloudBudget(db, {
      projectId: project.id,
      actorId: userId,
      requestId: billingRequestId(userId, request.requestId),
      model,
      maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      promptTokens,
    });
  } else if (request.model) {
    throw new AppError("bad_request:model", "A model can only be chosen for the cloud tier.");
  }

  let turn: Turn;
  try {
    turn = await prepareTurn(db, {
      ...request,
      projectId: project.id,
      by: userId,
      kind: request.answerTo ? (request.tier === "cloud" ? "escalate" : "regenerate") : "send",
      knownNew: true,
    });
  } catch (error) {
    if (reservation) await releaseReservation(db, reservation.reservationId);
    throw error;
  }
  if (!turn.replay) {
    launchProducer(db, {
      streamId: turn.stream.id,
      projectId: project.id,
      requested: request.tier,
      model,
      maxTokens: request.maxTokens ?? undefined,
      reservation,
      stream: turn.stream,
      question: turn.question,
    });
  }
  return turn;
}

async function promptEstimate(db: Db, request: ChatRequest): Promise<number> {
  const from = request.answerTo ?? request.parentId ?? null;
  const path = from ? await readPath(db, { chatId: request.chatId, tipMessageId: from }) : [];
  const text = path.map((m) => m.content).join("\n") + (request.content ?? "");
  return estimateTokens(text) + SOURCES_TOKEN_ALLOWANCE + 300;
}
