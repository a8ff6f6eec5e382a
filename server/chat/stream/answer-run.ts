import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type AgentSnapshot, type ChatStream, chatStreams, type generationSteps, messages } from "@/db/schema";
import type { TurnAdapter } from "@/server/adapters/selection";
import type { CloudReservation } from "@/server/billing/reserve";
import { VAULT_RESPONDER_MODEL } from "@/server/ai/vault-responder";
import type { StreamEvent, StreamPhase } from "@/lib/chat-protocol";
import { LedgerWriter } from "./ledger";

/** Stop pressed on this instance aborts at once (registry); this poll carries a Stop from another instance. */
const STOP_POLL_MS = 250;
const PARTIAL_SAVE_MS = 1_000;
/**
 * The producer says it is alive this often; a sweeper leaves streams alone
 * until several beats are missed (PRODUCER_GONE_AFTER_MS, four beats).
 */
export const HEARTBEAT_MS = 5_000;

/** The billing key of a turn: the person's requestId, namespaced so two people's ids never collide. */
export function billingRequestId(userId: string, requestId: string): string {
  return `chat:${userId}:${requestId}`;
}

export type Step = typeof generationSteps.$inferInsert;

/**
 * One answer being produced: its ledger, the text so far, what it used, the
 * hold it runs under, and its trace. The stages of the producer (decide,
 * generate, finish) share it; whichever way the answer ends, the hold is
 * settled or released from here exactly once.
 */
export class AnswerRun {
  readonly started = Date.now();
  readonly assistantId: string;
  readonly userMessageId: string;
  readonly actorId: string;
  readonly requestId: string;
  readonly ledger: LedgerWriter;
  text = "";
  tier: "local" | "cloud" = "local";
  model = VAULT_RESPONDER_MODEL;
  usage = { tokensIn: 0, tokensOut: 0 };
  stopReason: string | null = null;
  /** the hold the answer runs under; cleared once it is settled or released */
  reservation: CloudReservation | null = null;
  /** the trace, written once at the end, off the path to the first token */
  readonly steps: Step[] = [];
  /** when each phase began and the first token came, for the trace's timings */
  readonly phaseStarts: Array<{ phase: StreamPhase; at: number }> = [];
  firstTokenAt: number | null = null;
  /** the project agent answering (null = none), saved on the message as used */
  agent: AgentSnapshot | null = null;
  /** the LoRA adapter chosen for this turn (chat, agent or project; null = none), and whether the answer used it */
  adapter: TurnAdapter | null = null;
  loraApplied = false;
  /** the project's own provider that answered (cloud or local tier); null = Anthropic, the server's local model or a device */
  providerName: string | null = null;
  /** the local tier was the project's own provider: its name and the owner's prices, to meter the call */
  localPrice: { provider: string; inputMicrosPerMTok: bigint; outputMicrosPerMTok: bigint } | null = null;
  /** how the answer ended, as saved on the message (for the request log) */
  outcome: { status: "complete" | "stopped" | "error"; costMicros: bigint; error: string | null; latencyMs: number } | null = null;
  /** the body of the upstream call as sent (for the request log, only if the project keeps bodies); null = none made */
  upstreamRequest: unknown = null;
  /** secrets the upstream call used (its key), scrubbed from any body the request log keeps */
  upstreamSecrets: string[] = [];
  /** the chat (and with it the stream row) was deleted, or the stream was swept: nobody can see this answer */
  gone = false;
  private timers: Array<ReturnType<typeof setInterval>> = [];

  constructor(
    private readonly db: Db,
    readonly stream: ChatStream & { assistantMessageId: string; userMessageId: string; startedBy: string },
    readonly projectId: string,
    readonly abort: AbortController,
  ) {
    this.assistantId = stream.assistantMessageId;
    this.userMessageId = stream.userMessageId;
    this.actorId = stream.startedBy;
    this.requestId = billingRequestId(stream.startedBy, stream.requestId);
    this.ledger = new LedgerWriter(
      db,
      stream.id,
      0,
      () => {
        this.gone = true;
        this.abort.abort();
      },
      () => this.abort.abort(),
    );
  }

  emit(event: StreamEvent): void {
    if (event.type === "metadata") this.phaseStarts.push({ phase: event.phase, at: Date.now() });
    this.ledger.append(event);
  }

  /** A piece of the answer: into the text and the ledger. */
  readonly onText = (piece: string): void => {
    if (!piece) return;
    this.firstTokenAt ??= Date.now();
    this.text += piece;
    this.emit({ type: "content", text: piece });
  };

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /**
   * While the answer is written: a Stop from any instance reaches the upstream
   * call (a poll of the stream row), the producer renews its heartbeat (a
   * stream whose heartbeat stops may be swept as interrupted; a stream that
   * is gone or was swept aborts), and the message row catches up with the
   * ledger now and then, so views that read messages (canvas, export) see progress.
   */
  watch(): void {
    const db = this.db;
    const id = this.stream.id;
    this.timers.push(
      setInterval(() => {
        // A ledger batch read the row (and its Stop) a moment ago: while tokens flow, that is the poll.
        if (performance.now() - this.ledger.lastRowCheckAt < STOP_POLL_MS) return;
        db.select({ at: chatStreams.stopRequestedAt })
          .from(chatStreams)
          .where(eq(chatStreams.id, id))
          .then((rows) => {
            if (rows.length === 0) this.gone = true;
            if (this.gone || rows[0]?.at) this.abort.abort();
          })
          .catch(() => {});
      }, STOP_POLL_MS),
      setInterval(() => {
        db.update(chatStreams)
          .set({ heartbeatAt: sql`now()` })
          .where(and(eq(chatStreams.id, id), eq(chatStreams.status, "running")))
          .returning({ id: chatStreams.id })
          .then((rows) => {
            if (rows.length > 0) return;
            this.gone = true;
            this.abort.abort();
          })
          .catch(() => {});
      }, HEARTBEAT_MS),
    );
    let savedLength = 0;
    this.timers.push(
      setInterval(() => {
        if (this.text.length === savedLength || this.gone) return;
        savedLength = this.text.length;
        db.update(messages)
          .set({ content: this.text })
          .where(and(eq(messages.id, this.assistantId), eq(messages.status, "streaming")))
          .catch(() => {});
      }, PARTIAL_SAVE_MS),
    );
  }

  stopWatching(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }
}
