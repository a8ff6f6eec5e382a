import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { chatStreams, shareLinks } from "@/db/schema";
import { isFinal } from "@/lib/chat-protocol";
import { readLedger } from "@/server/chat/stream/ledger";
import { waitForLedger } from "@/server/chat/stream/notify";
import { localProducer } from "@/server/chat/stream/registry";
import { AppError } from "@/server/errors";
import { currentMessages, findShareLink, linkEndedError } from "./links";

/** How often the feed asks whether a new answer started on the chat (one indexed query), and whether the link still holds. */
const IDLE_CHECK_MS = 1_000;
const LINK_CHECK_MS = 5_000;
/** While an answer runs on another instance its ledger is read this often; on this one an append wakes the feed at once. */
const LEDGER_POLL_MS = 100;
const LOCAL_LEDGER_POLL_MS = 1_000;
const HEARTBEAT_MS = 15_000;
/** A feed closes after this long and the browser reconnects by itself (EventSource): no connection lives for ever. */
export const FEED_LIFETIME_MS = 4 * 60_000;

/**
 * What a live share's reader is told, as SSE `data:` JSON:
 * - `changed`: the shared messages changed (a new question, an answer begun or ended, the tip moved): read the view again
 * - `answer` {messageId}: an answer being written; the `content` that follows is its text from its start
 * - `content` {messageId, text}: more of that answer, as its stream's ledger has it
 * - `gone` {code, message}: the link was ended or expired; the feed closes
 */
export type ShareFeedEvent =
  | { type: "changed" }
  | { type: "answer"; messageId: string }
  | { type: "content"; messageId: string; text: string }
  | { type: "gone"; code: string; message: string };

/** Changes whenever anything a reader of the chat could see changes: messages, their status, a branch tip. */
async function chatSignature(db: Db, chatId: string): Promise<string> {
  const [row] = await queryRows<{ sig: string | null }>(
    db,
    sql`select (select count(*)::text || ':' || coalesce(max(created_at)::text, '') || ':' || count(*) filter (where status = 'streaming')::text
                       || ':' || count(*) filter (where deleted_at is not null)::text
                from messages where chat_id = ${chatId})
            || '|' || (select coalesce(string_agg(coalesce(tip_message_id::text, '-'), ',' order by id), '') from branches where chat_id = ${chatId}) as sig`,
  );
  return row?.sig ?? "";
}

/**
 * The live feed of a share link: open only for a live link (a snapshot never
 * changes), after the same token check and guess limit as the page. It follows
 * answers through their stream ledger exactly as a member watching the chat
 * does, so a reader sees an answer being written token by token, on whichever
 * instance it runs. Read-only: it sends what the page may show, nothing else.
 */
export async function openShareFeed(db: Db, { token, ip }: { token: string; ip: string }): Promise<ReadableStream<Uint8Array>> {
  const link = await findShareLink(db, { token, ip });
  if (link.mode !== "live") throw new AppError("bad_request:share_snapshot", "This share link is a snapshot: it does not change, so there is nothing to follow.");
  const encoder = new TextEncoder();
  const cancelled = new AbortController();
  const opened = Date.now();
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: ShareFeedEvent) => controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`));
      let lastWrite = Date.now();
      let lastLinkCheck = Date.now();
      let signature = await chatSignature(db, link.chatId);
      const done = new Set<string>();
      // the reader reconnects after a second when this feed closes
      controller.enqueue(encoder.encode("retry: 1000\n\n"));
      try {
        while (!cancelled.signal.aborted && Date.now() - opened < FEED_LIFETIME_MS) {
          if (Date.now() - lastLinkCheck >= LINK_CHECK_MS) {
            lastLinkCheck = Date.now();
            const [now] = await db.select().from(shareLinks).where(eq(shareLinks.id, link.id));
            const ended = now ? linkEndedError(now) : new AppError("gone:share_revoked", "This share link was ended by the people who shared it.");
            if (ended) {
              send({ type: "gone", code: ended.code, message: ended.message });
              break;
            }
          }
          const running = await db
            .select({ id: chatStreams.id, messageId: chatStreams.assistantMessageId })
            .from(chatStreams)
            .where(and(eq(chatStreams.chatId, link.chatId), eq(chatStreams.status, "running")))
            .orderBy(asc(chatStreams.createdAt))
            .limit(5);
          const next = running.find((s) => s.messageId && !done.has(s.id));
          const shown = next?.messageId ? (await currentMessages(db, link)).messages.some((m) => m.id === next.messageId) : false;
          if (next?.messageId && shown) {
            done.add(next.id);
            send({ type: "changed" });
            send({ type: "answer", messageId: next.messageId });
            lastWrite = Date.now();
            await followAnswer(db, { streamId: next.id, messageId: next.messageId, signal: cancelled.signal, send, linkId: link.id });
            signature = await chatSignature(db, link.chatId);
            send({ type: "changed" });
            lastWrite = Date.now();
            continue;
          }
          if (next) done.add(next.id); // an answer on a branch this link does not show
          const now = await chatSignature(db, link.chatId);
          if (now !== signature) {
            signature = now;
            send({ type: "changed" });
            lastWrite = Date.now();
          }
          if (Date.now() - lastWrite > HEARTBEAT_MS) {
            controller.enqueue(encoder.encode(": keep-alive\n\n"));
            lastWrite = Date.now();
          }
          await pause(IDLE_CHECK_MS, cancelled.signal);
        }
        controller.close();
      } catch (error) {
        if (!cancelled.signal.aborted) {
          console.error("[arbor] share feed failed", error);
          controller.error(error);
        }
      }
    },
    cancel() {
      cancelled.abort();
    },
  });
}

/** Tail one answer's ledger from its start, passing on its text, until its final event (or the link ends). */
async function followAnswer(
  db: Db,
  args: { streamId: string; messageId: string; linkId: string; signal: AbortSignal; send: (e: ShareFeedEvent) => void },
): Promise<void> {
  let last = 0;
  let lastLinkCheck = Date.now();
  while (!args.signal.aborted) {
    const rows = await readLedger(db, { streamId: args.streamId, afterSeq: last });
    for (const row of rows) {
      last = row.seq;
      const event = row.event as { type?: unknown; text?: unknown };
      if (event.type === "content" && typeof event.text === "string") args.send({ type: "content", messageId: args.messageId, text: event.text });
      if (isFinal(event)) return;
    }
    if (rows.length === 0) {
      const [stream] = await db.select({ status: chatStreams.status }).from(chatStreams).where(eq(chatStreams.id, args.streamId));
      if (stream?.status !== "running") {
        if ((await readLedger(db, { streamId: args.streamId, afterSeq: last, limit: 1 })).length === 0) return;
        continue;
      }
      if (Date.now() - lastLinkCheck >= LINK_CHECK_MS) {
        lastLinkCheck = Date.now();
        const [link] = await db.select().from(shareLinks).where(eq(shareLinks.id, args.linkId));
        if (!link || linkEndedError(link)) return;
      }
      await waitForLedger(args.streamId, localProducer(args.streamId) ? LOCAL_LEDGER_POLL_MS : LEDGER_POLL_MS, args.signal, last);
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
