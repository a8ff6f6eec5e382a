import "server-only";
import type { Db } from "@/db/client";
import type { ChatStream } from "@/db/schema";
import { adapterForTurn } from "@/server/adapters/selection";
import { AnswerRun } from "./answer-run";
import { decideTierAndHold, type TurnInputs } from "./decide";
import { closeAnswer, failAnswer, finishAnswer } from "./finish";
import { generateAnswer } from "./generate";
import { track } from "./registry";

export { billingRequestId } from "./answer-run";
export { DEFAULT_MAX_TOKENS } from "./decide";

export type ProduceOptions = TurnInputs & {
  /** the stream row the handler just wrote */
  stream: ChatStream;
};

/** Starts the producer detached from any HTTP connection; readers follow the ledger. */
export function launchProducer(db: Db, options: ProduceOptions): void {
  const abort = new AbortController();
  const promise = produce(db, options, abort).catch((error) => console.error("[arbor] chat producer crashed", error));
  track(options.stream.id, abort, promise);
}

/**
 * An answer in three stages — decide the tier and hold the budget, generate,
 * finish and settle — around one AnswerRun that carries the hold, so every
 * way out (finished, stopped, failed) charges or releases it exactly once.
 */
async function produce(db: Db, { stream, ...inputs }: ProduceOptions, abort: AbortController): Promise<void> {
  const { assistantMessageId, userMessageId, startedBy } = stream;
  if (!assistantMessageId || !userMessageId || !startedBy) return;
  const run = new AnswerRun(db, { ...stream, assistantMessageId, userMessageId, startedBy }, inputs.projectId, abort);
  run.reservation = inputs.cloud?.reservation ?? null;
  run.agent = inputs.agent ?? null;
  run.watch();
  try {
    run.adapter = await adapterForTurn(db, { projectId: inputs.projectId, chatId: stream.chatId, agentId: run.agent?.id ?? null });
    const route = await decideTierAndHold(db, run, inputs);
    const generationStarted = Date.now();
    await generateAnswer(db, run, route, inputs);
    await finishAnswer(db, run, route.chunks, generationStarted);
  } catch (error) {
    await failAnswer(db, run, error);
  } finally {
    await closeAnswer(db, run);
  }
}
