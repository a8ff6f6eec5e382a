import { z } from "zod";

/**
 * The chat stream's wire format, once, for the route that writes it and the
 * client that reads it: the body of `POST /api/chat` and the JSON `data:` of
 * each SSE event. Unknown fields are dropped on parse, so a newer server never
 * breaks an older tab.
 * @see docs/chat.md#the-stream-protocol
 */

export const STREAM_PHASES = ["analyzing", "retrieving", "generating", "verifying"] as const;
export type StreamPhase = (typeof STREAM_PHASES)[number];

const id = (what: string) => z.uuid({ message: `is not a valid ${what} id` });

/** The body of POST /api/chat; `branchId` continues a branch other than the one the parent tips. */
export const chatRequestSchema = z.object({
  requestId: z.string().min(8, "must be a client-made id of at least 8 characters").max(200),
  chatId: id("chat"),
  branchId: id("branch").nullish(),
  parentId: id("message").nullish(),
  content: z.string().max(200_000, "is too long").nullish(),
  answerTo: id("message").nullish(),
  tier: z.enum(["local", "cloud", "auto"]).default("auto"),
  model: z.string().min(1).max(100).nullish(),
  maxTokens: z.number().int().min(1).max(32_000).nullish(),
  /** a project agent for this turn; absent = the chat's agent, if it has one */
  agentId: id("agent").nullish(),
  /** merge: the other branch to join; `branchId` is the first branch and `parentId` its tip, `content` the merge's message */
  mergeBranchId: id("branch").nullish(),
});
/** The first turn of a new chat: a `projectId` instead of the `chatId`, so a script starts a chat in one round trip. */
export const newChatRequestSchema = chatRequestSchema
  .omit({ chatId: true })
  .extend({
    chatId: z.undefined().optional(),
    projectId: id("project"),
    /** a ready LoRA adapter of the project for the new chat (the picker before the first message); absent = the agent's or the project's */
    adapterId: id("adapter").nullish(),
  });
/** The request as the server holds it after parsing (defaults applied). */
export type ChatRequest = z.infer<typeof chatRequestSchema>;
/** The request as a client sends it. */
export type ChatRequestBody = z.input<typeof chatRequestSchema>;

const contentEvent = z.object({ type: z.literal("content"), text: z.string() });

const metadataEvent = z.object({
  type: z.literal("metadata"),
  agent: z.string(),
  phase: z.enum(STREAM_PHASES),
  userMessageId: z.string().optional(),
  assistantMessageId: z.string().optional(),
  branchId: z.string().optional(),
  tier: z.enum(["local", "cloud"]).optional(),
  model: z.string().optional(),
});

/** One `[n]` of an answer: the chunk it names (null when the number names none) and whether the answer's use of it held up. */
const sourceRef = z.object({
  number: z.number().int().nonnegative(),
  sourceId: z.string().nullable(),
  chunkId: z.string().nullable(),
  title: z.string().nullable(),
  relevance: z.number(),
  supported: z.boolean(),
  problem: z.enum(["no_such_source", "quote_not_found"]).nullable(),
});
export type SourceRef = z.infer<typeof sourceRef>;

const endEvent = z.object({
  type: z.literal("end"),
  tokensUsed: z.object({ prompt: z.number().int().nonnegative(), completion: z.number().int().nonnegative() }),
  /** micro-USD as a decimal string: JSON has no bigint */
  costMicros: z.string().regex(/^\d+$/),
  totalLatencyMs: z.number().nonnegative(),
  messageId: z.string(),
  status: z.enum(["complete", "stopped"]),
  /** the model that wrote the answer ("vault-responder" for the built-in tier); absent in ledgers written before it was added */
  modelUsed: z.string().optional(),
  /** the answer's citations as the verifying phase judged them */
  sources: z.array(sourceRef).optional(),
  /** the local tier answered with the chosen LoRA adapter (its served name as the model); false when none was applied */
  loraApplied: z.boolean().optional(),
});

const errorEvent = z.object({ type: z.literal("error"), code: z.string(), message: z.string() });

export const streamEventSchema = z.discriminatedUnion("type", [contentEvent, metadataEvent, endEvent, errorEvent]);
export type StreamEvent = z.infer<typeof streamEventSchema>;
export type MetadataEvent = z.infer<typeof metadataEvent>;
export type EndEvent = z.infer<typeof endEvent>;

/** An `end` or `error` event: nothing follows it. */
export function isFinal(event: { type?: unknown }): boolean {
  return event.type === "end" || event.type === "error";
}

/** One SSE frame; the id is the event's sequence number in the ledger (what Last-Event-ID echoes back). */
export function sseFrame(seq: number, event: unknown): string {
  return sseFrameOfJson(seq, JSON.stringify(event));
}

/** The same frame for an event already encoded as JSON (one line: JSON.stringify never emits a newline). */
export function sseFrameOfJson(seq: number, json: string): string {
  return `id: ${seq}\ndata: ${json}\n\n`;
}

/** One `data:` line, or null when it is not an event we understand (skipped rather than trusted). */
export function parseStreamEvent(data: string): StreamEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = streamEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
