import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { chunks, sources } from "@/db/schema";
import { type FakeAnthropic, startFakeAnthropic, type UsageMode } from "./fakes/anthropic";
import { resetEnvForTests } from "@/server/env";
import { titleDone } from "@/server/chat/auto-title";
import type { ChatRequest, StreamEvent } from "@/lib/chat-protocol";
import { startChatTurn } from "@/server/chat/stream/start";
import { readLedger } from "@/server/chat/stream/ledger";
import { answerFinished } from "@/server/chat/stream/registry";

/** Points the real Anthropic SDK at a fake on an ephemeral port, with a platform key. Guard tests ask for "adversarial" usage. */
export async function useFakeAnthropic({ usage = "counted" }: { usage?: UsageMode } = {}): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic(0, "127.0.0.1", { usage });
  process.env.ANTHROPIC_BASE_URL = fake.url;
  process.env.ANTHROPIC_API_KEY = "test-key";
  process.env.ENCRYPTION_KEY ??= "b".repeat(64);
  process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
  delete process.env.LOCAL_MODEL_URL;
  delete process.env.ANTHROPIC_MODEL;
  resetEnvForTests();
  return fake;
}

export const newRequestId = () => `req-${randomUUID()}`;

/** Starts a turn the way POST /api/chat does and waits for its producer (and the chat's title job, if any) to finish. */
export async function runTurn(db: Db, userId: string, request: Omit<ChatRequest, "requestId" | "tier"> & { requestId?: string; tier?: ChatRequest["tier"] }) {
  const turn = await startChatTurn(db, { userId, request: { tier: "auto", requestId: newRequestId(), ...request } });
  await answerFinished(turn.stream.id);
  await titleDone(request.chatId);
  const events = await ledgerEvents(db, turn.stream.id);
  return { ...turn, events };
}

export async function ledgerEvents(db: Db, streamId: string): Promise<Array<{ seq: number; event: StreamEvent }>> {
  const rows = await readLedger(db, { streamId, afterSeq: 0, limit: 10_000 });
  return rows.map((r) => ({ seq: r.seq, event: r.event as StreamEvent }));
}

export function textOf(events: Array<{ event: StreamEvent }>): string {
  return events.map(({ event }) => (event.type === "content" ? event.text : "")).join("");
}

/** A ready source with one chunk per text, for retrieval. */
export async function addSource(db: Db, { projectId, title, texts }: { projectId: string; title: string; texts: string[] }) {
  const [source] = await db
    .insert(sources)
    .values({ projectId, title, mediaType: "text/plain", origin: "paste", status: "ready", chunkCount: texts.length })
    .returning();
  if (!source) throw new Error("source insert returned nothing");
  await db.insert(chunks).values(texts.map((text, ordinal) => ({ sourceId: source.id, projectId, ordinal, text, tokenCount: Math.ceil(text.length / 4) })));
  return source;
}

/** Reads an SSE body into its frames. */
export async function readSse(body: ReadableStream<Uint8Array>): Promise<Array<{ id: number; data: StreamEvent }>> {
  const text = await new Response(body).text();
  return text
    .split("\n\n")
    .filter((frame) => frame.startsWith("id:"))
    .map((frame) => {
      const id = Number(/^id: (\d+)/m.exec(frame)?.[1]);
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null") as StreamEvent;
      return { id, data };
    });
}
