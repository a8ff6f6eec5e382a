import { describe, expect, it } from "vitest";
import { statementTally } from "@/db/statement-count";
import type { ChatRequest } from "@/lib/chat-protocol";
import { chatEnvironment } from "@/testing/chat-environment";
import { newRequestId, readSse } from "@/testing/chat-turns";
import { makeProject } from "@/testing/fixtures";
import { chatForPost } from "./api-request";
import { createChat } from "./chats";
import { tailLedger } from "./stream/reader";
import { openReader } from "./stream/readers";
import { answerFinished } from "./stream/registry";
import { startChatTurn } from "./stream/start";

/**
 * What one answer costs the database, counted at the driver: POST /api/chat's
 * work from the chat (found or made) to the final event — access, the turn and
 * its hold, the ledger, settlement, the end-of-answer writes. Counts, not
 * timings, so a busy machine cannot make this flaky and a statement added to
 * the path fails it. Two kinds of statement depend on how the answer is paced,
 * not on the path, and are counted apart: ledger inserts (one per 25 ms window)
 * and the producer's timers while it writes (Stop poll, heartbeat, partial
 * save). docs/chat.md "What an answer costs" lists the fixed ones.
 */
const env = chatEnvironment();

/** The statements that depend on the pace of the answer rather than on the path. */
const PACED = [/insert into stream_events/i, /"heartbeat_at"/, /^select "stop_requested_at" from "chat_streams"/, /^update "messages" set "content" = \$1 where/];

type Tally = { fixed: number; ledger: number; paced: number; transactions: number; texts: string[] };

async function counting(work: () => Promise<void>): Promise<Tally> {
  const before = { statements: statementTally.statements, transactions: statementTally.transactions };
  statementTally.log = [];
  try {
    await work();
  } finally {
    const texts = statementTally.log ?? [];
    statementTally.log = null;
    expect(statementTally.statements - before.statements).toBe(texts.length);
    const ledger = texts.filter((t) => PACED[0]?.test(t)).length;
    const paced = texts.filter((t) => PACED.slice(1).some((p) => p.test(t))).length;
    // biome-ignore lint/correctness/noUnsafeFinally: the tally is the test's result
    return { fixed: texts.length - ledger - paced, ledger, paced, transactions: statementTally.transactions - before.transactions, texts };
  }
}

/** As POST /api/chat answers: the asker's reader opened, then the ledger tailed to the final event. */
async function answerThrough(streamOf: () => Promise<{ streamId: string; userId: string }>): Promise<void> {
  const { streamId, userId } = await streamOf();
  const reader = await openReader(env.database.db, { streamId, userId });
  const frames = await readSse(tailLedger(env.database.db, { streamId, afterSeq: 0, reader }));
  expect(frames.at(-1)?.data.type).toBe("end");
  expect(frames.filter((f) => f.data.type === "content").length).toBeGreaterThan(0);
  await answerFinished(streamId);
}

function shown(t: Tally): string {
  return `${t.fixed} fixed statements, ${t.transactions} transactions:\n${t.texts.filter((x) => !PACED.some((p) => p.test(x))).join("\n")}`;
}

/**
 * Statements every cloud answer makes whatever its length (a next turn in an
 * existing chat): the access read, the branch so far, the turn with its hold,
 * the adapter, settlement (lock and read; write — in one transaction), the
 * message, and the closing statement (request log, trace, stream done). Before
 * settlement and the closing writes were folded: 21 statements and the same
 * one transaction.
 */
const NEXT_TURN_STATEMENTS = 8;
const NEXT_TURN_TRANSACTIONS = 1;
/** The first turn of a new chat made by the same POST: the chat's statement instead of the branch read. */
const NEW_CHAT_STATEMENTS = 8;

describe("statements per answer", () => {
  it("a cloud answer on the next turn of a chat makes a fixed number of statements", { timeout: 60_000 }, async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    let parentId: string | null = null;
    const turn = (content: string) => async () => {
      const request: ChatRequest = { requestId: newRequestId(), chatId: chat.id, parentId, content, tier: "cloud", maxTokens: 40 };
      const started = await startChatTurn(db, { userId: owner.id, request });
      parentId = started.assistantMessageId;
      return { streamId: started.stream.id, userId: owner.id };
    };
    // warm: the first turn titles the chat, the first settlement makes the spend rows
    await answerThrough(turn("How deep do apple roots grow? [[long]]"));
    await answerThrough(turn("And pear roots? [[long]]"));
    const tallies: Tally[] = [];
    for (const question of ["And plum roots? [[long]]", "And quince roots? [[long]]"]) tallies.push(await counting(() => answerThrough(turn(question))));
    for (const t of tallies) {
      console.log(`next turn: ${t.fixed} fixed + ${t.ledger} ledger inserts + ${t.paced} paced statements, ${t.transactions} transactions`);
      expect(t.fixed, shown(t)).toBe(NEXT_TURN_STATEMENTS);
      expect(t.transactions, shown(t)).toBe(NEXT_TURN_TRANSACTIONS);
      expect(t.ledger).toBeGreaterThan(0);
    }
  });

  it("a new chat's first cloud answer, the chat made by the same POST, makes a fixed number of statements", { timeout: 60_000 }, async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    const who = { via: "session" as const, userId: owner.id, email: owner.email, name: null };
    const newChat = (content: string) => async () => {
      const post = { projectId: project.id, request: { requestId: newRequestId(), parentId: null, content, tier: "cloud" as const, maxTokens: 40 } };
      const chatId = await chatForPost(db, { who, post });
      const started = await startChatTurn(db, { userId: owner.id, request: { ...post.request, chatId } });
      return { streamId: started.stream.id, userId: owner.id };
    };
    await answerThrough(newChat("Warm: how are medlars eaten? [[long]]"));
    const t = await counting(() => answerThrough(newChat("When are loquats ripe? [[long]]")));
    console.log(`new chat: ${t.fixed} fixed + ${t.ledger} ledger inserts + ${t.paced} paced statements, ${t.transactions} transactions`);
    expect(t.fixed, shown(t)).toBe(NEW_CHAT_STATEMENTS);
  });
});
