import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database, Db } from "@/db/client";
import { branches, messages, projectMembers, sources } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { forkBranch } from "@/server/chat/branches";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { searchMessages } from "./messages";
import { containsPattern, searchPalette } from "./palette";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function say(db: Db, chatId: string, parentId: string | null, role: "user" | "assistant", content: string) {
  const [m] = await db.insert(messages).values({ chatId, parentId, role, content }).returning();
  if (!m) throw new Error("no message");
  return m;
}

/** Main: q1 → a1; a fork at q1 ("Try again") holds a sibling answer that mentions "marigolds". */
async function gardenChat() {
  const db = database.db;
  const { owner, project, members } = await makeProject(db, ["viewer"]);
  const chat = await createChat(db, { projectId: project.id, by: owner.id, title: "Garden plan" });
  const q1 = await say(db, chat.id, null, "user", "Which flowers keep aphids away from tomatoes?");
  const a1 = await say(db, chat.id, q1.id, "assistant", "Nasturtiums draw aphids off the tomatoes.");
  await db.update(branches).set({ tipMessageId: a1.id }).where(eq(branches.id, chat.mainBranchId));
  const fork = await forkBranch(db, { projectId: project.id, chatId: chat.id, messageId: q1.id, by: owner.id, title: "Try again" });
  const a2 = await say(db, chat.id, q1.id, "assistant", "Marigolds repel aphids; marigolds also deter nematodes around tomatoes.");
  await db.update(branches).set({ tipMessageId: a2.id }).where(eq(branches.id, fork.id));
  return { owner, project, members, chat, q1, a1, a2, fork };
}

const plain = (hit: { snippet: { text: string }[] }) => hit.snippet.map((p) => p.text).join("");
const marked = (hit: { snippet: { text: string; highlight: boolean }[] }) => hit.snippet.filter((p) => p.highlight).map((p) => p.text.toLowerCase());

describe("message search", () => {
  it("finds a message that lives only on a sibling branch, highlights the words, and names its chat and branch path", async () => {
    const { owner, project, chat, a2, fork } = await gardenChat();
    const [hit, ...rest] = await searchMessages(database.db, { userId: owner.id, query: "marigolds" });
    expect(rest).toEqual([]);
    expect(hit).toMatchObject({ messageId: a2.id, chatId: chat.id, chatTitle: "Garden plan", projectId: project.id, branchId: fork.id, branchPath: ["Main", "Try again"], role: "assistant" });
    expect(plain(hit ?? { snippet: [] })).toContain("Marigolds repel aphids");
    expect(marked(hit ?? { snippet: [] })).toEqual(["marigolds", "marigolds"]);
  });

  it("ranks denser matches first and stems words (aphid finds aphids)", async () => {
    const { owner, project, a1, a2, q1 } = await gardenChat();
    const hits = await searchMessages(database.db, { userId: owner.id, projectId: project.id, query: "aphid tomato" });
    expect(hits.map((h) => h.messageId).sort()).toEqual([q1.id, a1.id, a2.id].sort());
    const two = await searchMessages(database.db, { userId: owner.id, projectId: project.id, query: "marigold OR nasturtium" });
    // two mentions of marigolds outrank one of nasturtiums
    expect(two.map((h) => h.messageId)).toEqual([a2.id, a1.id]);
  });

  it("sees only projects the person is a member of, in one project or all", async () => {
    const mine = await gardenChat();
    const theirs = await gardenChat();
    const everywhere = await searchMessages(database.db, { userId: mine.owner.id, query: "marigolds" });
    expect(everywhere.map((h) => h.projectId)).toEqual([mine.project.id]);
    // naming a project one is not a member of finds nothing, even when called directly
    expect(await searchMessages(database.db, { userId: mine.owner.id, projectId: theirs.project.id, query: "marigolds" })).toEqual([]);
    // joining it makes its messages readable, across projects
    await database.db.insert(projectMembers).values({ projectId: theirs.project.id, userId: mine.owner.id, role: "viewer" });
    const both = await searchMessages(database.db, { userId: mine.owner.id, query: "marigolds" });
    expect(new Set(both.map((h) => h.projectId))).toEqual(new Set([mine.project.id, theirs.project.id]));
  });

  it("follows edits, deletion and restore of messages (the index is kept by the database)", async () => {
    const { owner, project, a1 } = await gardenChat();
    const find = (q: string) => searchMessages(database.db, { userId: owner.id, projectId: project.id, query: q });
    await database.db.update(messages).set({ content: "Borage brings pollinators." }).where(eq(messages.id, a1.id));
    expect((await find("borage")).map((h) => h.messageId)).toEqual([a1.id]);
    expect(await find("nasturtiums")).toEqual([]);
    await database.db.update(messages).set({ deletedAt: new Date() }).where(eq(messages.id, a1.id));
    expect(await find("borage")).toEqual([]);
    await database.db.update(messages).set({ deletedAt: null }).where(eq(messages.id, a1.id));
    expect((await find("borage")).map((h) => h.messageId)).toEqual([a1.id]);
  });

  it("is safe with search syntax, odd characters and empty queries", async () => {
    const { owner, project } = await gardenChat();
    for (const q of ["", "   ", '"unclosed', "-", "a & b | !c", "'; drop table messages; --", "\u0002x\u0003", "(((", "tomato:*"]) {
      await expect(searchMessages(database.db, { userId: owner.id, projectId: project.id, query: q })).resolves.toBeInstanceOf(Array);
    }
    const { chat } = await gardenChat();
    await say(database.db, chat.id, null, "user", "A \u0002forged\u0003 highlight about tomatoes");
    const forged = await searchMessages(database.db, { userId: chat.createdBy ?? "", projectId: chat.projectId, query: "highlight" });
    expect(forged.map((h) => h.snippet)).toEqual([[{ text: "A forged ", highlight: false }, { text: "highlight", highlight: true }, { text: " about tomatoes", highlight: false }]]);
    const hits = await searchMessages(database.db, { userId: owner.id, projectId: project.id, query: '"draw aphids" -marigolds' });
    expect(hits.map((h) => plain(h))).toEqual(["Nasturtiums draw aphids off the tomatoes."]);
  });
});

describe("the command palette", () => {
  it("finds chats, messages, sources and people of readable projects only", async () => {
    const { owner, project, members, chat } = await gardenChat();
    const other = await gardenChat();
    await database.db.insert(sources).values({ projectId: project.id, title: "Garden almanac", mediaType: "text/plain", origin: "paste", status: "ready", addedBy: owner.id });
    const found = await searchPalette(database.db, { userId: owner.id, query: "garden" });
    expect(found.chats.map((c) => c.chatId)).toEqual([chat.id]);
    expect(found.sources.map((s) => s.title)).toEqual(["Garden almanac"]);
    const viewer = members.viewer;
    if (!viewer) throw new Error("no viewer");
    const people = await searchPalette(database.db, { userId: owner.id, query: viewer.email.slice(0, 8) });
    expect(people.people.map((p) => p.userId)).toEqual([viewer.id]);
    expect((await searchPalette(database.db, { userId: owner.id, query: other.owner.email.slice(0, 10) })).people).toEqual([]);
    expect((await searchPalette(database.db, { userId: owner.id, query: "marigolds" })).messages.map((m) => m.chatId)).toEqual([chat.id]);
  });

  it("takes % and _ literally in title matches", async () => {
    expect(containsPattern("50%_a\\b")).toBe("%50\\%\\_a\\\\b%");
    const { owner, project } = await gardenChat();
    await createChat(database.db, { projectId: project.id, by: owner.id, title: "Budget 100% done" });
    expect((await searchPalette(database.db, { userId: owner.id, query: "0%" })).chats.map((c) => c.title)).toEqual(["Budget 100% done"]);
    expect((await searchPalette(database.db, { userId: owner.id, query: "G_rden" })).chats).toEqual([]);
  });

  it("through the router: a project's search needs membership, the everywhere search needs a session", async () => {
    const { project, members } = await gardenChat();
    const stranger = await makeUser(database.db);
    await expect(createCaller(contextFor(database.db, stranger)).search.projectMessages({ projectId: project.id, query: "aphids" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createCaller(contextFor(database.db, null)).search.everywherePalette({ query: "aphids" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await createCaller(contextFor(database.db, stranger)).search.everywhereMessages({ query: "aphids" })).toEqual([]);
    const viewer = createCaller(contextFor(database.db, members.viewer ?? null));
    expect((await viewer.search.projectMessages({ projectId: project.id, query: "aphids" })).length).toBe(3);
  });
});
