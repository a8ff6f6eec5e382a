import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { createChat } from "./chats";
import { LedgerWriter, ledgerText, readLedger } from "./stream/ledger";
import { tailLedger } from "./stream/reader";
import { newRequestId, readSse } from "@/testing/chat-turns";
import { prepareTurn } from "./turns";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("the stream ledger", () => {
  it("stores bursts and trickles in order, numbered from 1, and a reader of another instance follows it to the end", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const turn = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "ledger", requestId: newRequestId(), by: owner.id });
    const writer = new LedgerWriter(db, turn.stream.id);
    // no producer in this process: the reader must find everything by polling the table
    const reader = readSse(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 }));
    for (let i = 0; i < 50; i++) writer.append({ type: "content", text: `${i} ` });
    for (let i = 50; i < 60; i++) {
      writer.append({ type: "content", text: `${i} ` });
      await new Promise((r) => setTimeout(r, 3));
    }
    writer.append({ type: "end", tokensUsed: { prompt: 1, completion: 60 }, costMicros: "0", totalLatencyMs: 1, messageId: turn.assistantMessageId, status: "complete" });
    await writer.flush();
    const rows = await readLedger(db, { streamId: turn.stream.id, afterSeq: 0, limit: 1000 });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    const expected = Array.from({ length: 60 }, (_, i) => `${i} `).join("");
    expect(await ledgerText(db, turn.stream.id)).toBe(expected);
    const frames = await reader;
    expect(frames.map((f) => f.id)).toEqual(rows.map((r) => r.seq));
    expect(frames.at(-1)?.data.type).toBe("end");
  });
});
