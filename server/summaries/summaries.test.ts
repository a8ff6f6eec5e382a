import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { branches, chatStreams, chatSummaries, chats, messages } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";
import { extractiveDigest } from "./extractive";
import { type Summariser, summariseChat, summariseStaleChats } from "./keep-current";
import { digestFromReply, transcriptOf } from "./local";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("the extractive digest", () => {
  it("keywords come from what the person asked, plurals folded, filler and function words left out", () => {
    const digest = extractiveDigest([
      { role: "user", content: "Hello! Which flowers keep aphids away from my tomatoes?" },
      { role: "assistant", content: "Marigolds and nasturtiums draw aphids off tomato plants. Plant them at the ends of each row." },
      { role: "user", content: "Will marigolds also help the tomato roots against nematodes?" },
    ]);
    expect(digest.keywords.slice(0, 3)).toEqual(["tomato", "aphids", "marigolds"]); // "tomato" is said more often than "tomatoes"
    expect(digest.keywords).not.toContain("hello");
    expect(digest.keywords).not.toContain("which");
    expect(digest.summary).toContain("aphids");
    expect(digest.summary.length).toBeLessThanOrEqual(240);
  });

  it("is empty for a chat with nothing to say, and cuts long text at a word", () => {
    expect(extractiveDigest([])).toEqual({ summary: "", keywords: [] });
    const long = extractiveDigest([{ role: "user", content: `${"Compost heaps need turning weekly and ".repeat(20)}done.` }]);
    expect(long.summary.length).toBeLessThanOrEqual(240);
    expect(long.summary.endsWith("…")).toBe(true);
    expect(long.keywords).toContain("compost");
  });
});

describe("the local model's digest", () => {
  it("reads a summary and a keywords line, whatever the labels and markdown", () => {
    expect(digestFromReply("**Summary:** The person plans a pest-free tomato bed.\n\nKeywords: Tomatoes, aphids, *marigolds*.")).toEqual({
      summary: "The person plans a pest-free tomato bed.",
      keywords: ["tomatoes", "aphids", "marigolds"],
    });
    expect(digestFromReply("keywords: a, b")).toBeNull();
    expect(digestFromReply("")).toBeNull();
  });

  it("sends the start and the end of a long chat", () => {
    const t = transcriptOf([
      { role: "user", content: "FIRST topic" },
      { role: "assistant", content: "x".repeat(10_000) },
      { role: "user", content: "LAST turn" },
    ]);
    expect(t.length).toBeLessThan(6_100);
    expect(t.startsWith("Person: FIRST topic")).toBe(true);
    expect(t.endsWith("Person: LAST turn")).toBe(true);
  });
});

async function chatWith(contents: string[]) {
  const { owner, project } = await makeProject(database.db);
  const chat = await createChat(database.db, { projectId: project.id, by: owner.id, title: "Pests" });
  let parentId: string | null = null;
  for (const [i, content] of contents.entries()) {
    const [m]: { id: string }[] = await database.db.insert(messages).values({ chatId: chat.id, parentId, role: i % 2 === 0 ? "user" : "assistant", content }).returning();
    parentId = m?.id ?? null;
  }
  await database.db.update(branches).set({ tipMessageId: parentId }).where(eq(branches.id, chat.mainBranchId));
  // as if the last turn were a minute ago
  await database.db.update(chats).set({ updatedAt: sql`now() - interval '1 minute'` }).where(eq(chats.id, chat.id));
  return { owner, project, chat };
}

const summaryOf = async (chatId: string) => (await database.db.select().from(chatSummaries).where(eq(chatSummaries.chatId, chatId)))[0];

describe("keeping summaries current", () => {
  it("summarises quiet chats once, again only after they change, and never while an answer streams", async () => {
    const { chat, owner } = await chatWith(["Which flowers keep aphids away from tomatoes?", "Marigolds repel aphids."]);
    const calls: string[] = [];
    const counting: Summariser = async (input) => {
      calls.push(chat.id);
      return { digest: extractiveDigest(input), method: "extractive" };
    };
    const mine = async () => (await summariseStaleChats(database.db, { summarise: counting, batch: 1000 })).filter((id) => id === chat.id);
    expect(await mine()).toEqual([chat.id]);
    const first = await summaryOf(chat.id);
    expect(first).toMatchObject({ method: "extractive", messageCount: 2, claimedUntil: null });
    expect(first?.keywords).toContain("aphids");
    expect(await mine()).toEqual([]);

    // A new turn: stale again, but not while its answer streams, nor while the chat is busy.
    const [q] = await database.db.insert(messages).values({ chatId: chat.id, role: "user", content: "What about slugs on the lettuce?" }).returning();
    await database.db.insert(chatStreams).values({ requestId: "r-summary", chatId: chat.id, userMessageId: q?.id, startedBy: owner.id });
    await database.db.update(chats).set({ updatedAt: sql`now() - interval '1 minute'` }).where(eq(chats.id, chat.id));
    expect(await mine()).toEqual([]);
    await database.db.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.chatId, chat.id));
    await database.db.update(chats).set({ updatedAt: sql`now()` }).where(eq(chats.id, chat.id));
    expect(await mine()).toEqual([]); // not quiet yet
    await database.db.update(chats).set({ updatedAt: sql`now() - interval '1 minute'` }).where(eq(chats.id, chat.id));
    expect(await mine()).toEqual([chat.id]);
    expect((await summaryOf(chat.id))?.messageCount).toBe(3);
    expect((await summaryOf(chat.id))?.keywords).toContain("slugs");
  });

  it("a chat another worker holds is skipped; a failed summary gives the chat back", async () => {
    const { chat } = await chatWith(["How deep should garlic be planted?"]);
    await database.db.insert(chatSummaries).values({ chatId: chat.id, claimedUntil: sql`now() + interval '1 minute'` });
    expect(await summariseChat(database.db, { chatId: chat.id })).toBe(false);
    await database.db.update(chatSummaries).set({ claimedUntil: null }).where(eq(chatSummaries.chatId, chat.id));
    const failing: Summariser = async () => {
      throw new Error("model down");
    };
    await expect(summariseChat(database.db, { chatId: chat.id, summarise: failing })).rejects.toThrow("model down");
    expect((await summaryOf(chat.id))?.claimedUntil).toBeNull();
    expect(await summariseChat(database.db, { chatId: chat.id })).toBe(true);
    expect((await summaryOf(chat.id))?.keywords).toContain("garlic");
  });

  it("leaves out deleted and still-streaming messages", async () => {
    const { chat } = await chatWith(["Tell me about rhubarb forcing", "Cover the crowns in late winter."]);
    await database.db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.content, "Tell me about rhubarb forcing"));
    await database.db.insert(messages).values({ chatId: chat.id, role: "assistant", content: "Partial answer about asparagus", status: "streaming" });
    await summariseChat(database.db, { chatId: chat.id });
    const s = await summaryOf(chat.id);
    expect(s?.messageCount).toBe(1);
    expect(s?.keywords).not.toContain("rhubarb");
    expect(s?.keywords).not.toContain("asparagus");
  });
});
