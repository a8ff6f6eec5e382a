import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import { chats, messages, projects, usageEvents } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { type FakeLocalModel, startFakeLocalModel } from "@/testing/fakes/local-model";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { heuristicTitle, TITLE_INSTRUCTIONS, titleFromReply } from "@/server/ai/titles";
import { resetEnvForTests } from "@/server/env";
import { makeProject } from "@/testing/fixtures";
import { titleChatByLocalModel, titleChatInBackground, titleDone } from "./auto-title";
import { createChat, renameChat } from "./chats";
import { billingRequestId } from "./stream/producer";
import { answerFinished } from "./stream/registry";
import { startChatTurn } from "./stream/start";
import { newRequestId, runTurn, textOf, useFakeAnthropic } from "@/testing/chat-turns";

let database: Database;
let fake: FakeAnthropic;
let local: FakeLocalModel;
beforeAll(async () => {
  fake = await useFakeAnthropic();
  local = await startFakeLocalModel(0);
  process.env.LOCAL_MODEL_URL = local.url;
  process.env.LOCAL_MODEL_NAME = "fake-llama";
  resetEnvForTests();
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(async () => {
  delete process.env.LOCAL_MODEL_URL;
  delete process.env.LOCAL_MODEL_NAME;
  resetEnvForTests();
  await database.close();
  await local.close();
  await fake.close();
});

describe("the OpenAI-compatible local tier (LOCAL_MODEL_URL) through the AI SDK", () => {
  it("answers locally and records one usage event at zero cost", async () => {
    const { owner, project } = await makeProject(database.db);
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    const turn = await runTurn(database.db, owner.id, { chatId: chat.id, parentId: null, content: "Local please", tier: "local" });
    expect(textOf(turn.events)).toBe("Local model answer to: Local please");
    const [answer] = await database.db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ tier: "local", model: "fake-llama", status: "complete", costMicros: 0n });
    expect(answer?.tokensOut).toBe(6);
    const usage = await database.db.select().from(usageEvents).where(eq(usageEvents.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ tier: "local", provider: "local", model: "fake-llama", netChargeMicros: 0n, costBasisMicros: 0n, tokensOut: 6 });
  });

  it("under the auto policy, a local model that fails hands the question to Claude", async () => {
    const { owner, project } = await makeProject(database.db);
    await database.db.update(projects).set({ settings: { escalationPolicy: "auto", defaultCloudModel: null, systemPrompt: "", constraints: "" } }).where(eq(projects.id, project.id));
    // a confident vault keeps auto on the local tier first
    const { addSource } = await import("@/testing/chat-turns");
    await addSource(database.db, { projectId: project.id, title: "Notes", texts: ["The crash test dummy reports crash results."] });
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    // answers are streamed; the chat's title request (also failing here) is not
    const answerCalls = () => local.requests.filter((r) => (r as { stream?: boolean }).stream).length;
    const localCalls = answerCalls();
    const turn = await runTurn(database.db, owner.id, { chatId: chat.id, parentId: null, content: "crash test dummy results [[local-fail]]" });
    expect(answerCalls()).toBe(localCalls + 1);
    expect(turn.events.at(-1)?.event.type).toBe("end");
    const [answer] = await database.db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ tier: "cloud", model: "claude-sonnet-5-5", status: "complete" });
    expect(answer?.content).toContain("You asked:");
  });

  it("with manual policy, a failing local model ends in an error event, text kept, nothing billed", async () => {
    const { owner, project } = await makeProject(database.db);
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    const turn = await runTurn(database.db, owner.id, { chatId: chat.id, parentId: null, content: "boom [[local-fail]]" });
    expect(turn.events.at(-1)?.event).toMatchObject({ type: "error", code: "local:failed" });
    const [answer] = await database.db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ status: "error", tier: "local", model: "fake-llama", costMicros: 0n });
    const usage = await database.db.select().from(usageEvents).where(eq(usageEvents.messageId, turn.assistantMessageId));
    expect(usage.every((u) => u.netChargeMicros === 0n)).toBe(true);
  });
});

describe("chat titles by the local tier", () => {
  const titleOf = async (chatId: string) => (await database.db.select({ title: chats.title }).from(chats).where(eq(chats.id, chatId)))[0]?.title;

  it("shows the first-sentence title at once, then the local model's after the first answer, at no cost", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const first = "Hello! How do I keep basil alive indoors? It keeps wilting.";
    const cloudCalls = fake.requests.length;
    const localCalls = local.requests.length;
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: first, tier: "local" } });
    expect(turn.newTitle).toBe("How do I keep basil alive indoors");
    expect(await titleOf(chat.id)).toBe("How do I keep basil alive indoors");
    await answerFinished(turn.stream.id);
    await titleDone(chat.id);
    // the answer, then one title request: the first message as the user turn, the instructions as the system prompt
    expect(local.requests.length).toBe(localCalls + 2);
    const asked = local.requests.at(-1) as { stream?: boolean; messages: Array<{ role: string; content: string }> };
    expect(asked.stream).toBeFalsy();
    expect(asked.messages).toEqual([
      { role: "system", content: TITLE_INSTRUCTIONS },
      { role: "user", content: first },
    ]);
    // the fake echoes the message; its reply, cleaned, is the title
    expect(await titleOf(chat.id)).toBe(titleFromReply(`Local model answer to: ${first.slice(0, 60)}`));
    expect(fake.requests.length).toBe(cloudCalls);
    expect(await db.$count(usageEvents, eq(usageEvents.projectId, project.id))).toBe(1); // the answer's, not the title's
    // only the first message names the chat
    const next = await runTurn(db, owner.id, { chatId: chat.id, branchId: turn.branchId, parentId: turn.assistantMessageId, content: "And outdoors?", tier: "local" });
    expect(next.newTitle).toBeNull();
  });

  it("never overwrites a title the person set meanwhile", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const first = "Which roses flower twice a year?";
    await db.update(chats).set({ title: heuristicTitle(first) }).where(eq(chats.id, chat.id));
    await renameChat(db, { projectId: project.id, chatId: chat.id, title: "Roses (mine)" });
    await expect(titleChatByLocalModel(db, { chatId: chat.id, heuristic: heuristicTitle(first), firstMessage: first })).resolves.toBeNull();
    expect(await titleOf(chat.id)).toBe("Roses (mine)");
  });

  it("a failing or slow local model leaves the first-sentence title, and the log names no address", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    await db.update(chats).set({ title: "Broken model" }).where(eq(chats.id, chat.id));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      titleChatInBackground(db, { chatId: chat.id, heuristic: "Broken model", firstMessage: "Broken model [[local-fail]]", after: Promise.resolve() });
      await titleDone(chat.id);
      expect(await titleOf(chat.id)).toBe("Broken model");
      expect(warn).toHaveBeenCalledTimes(1);
      const logged = String(warn.mock.calls[0]?.[0]);
      expect(logged).toMatch(/could not title a chat/);
      expect(logged).not.toContain("127.0.0.1");
    } finally {
      warn.mockRestore();
    }
    const started = Date.now();
    await expect(titleChatByLocalModel(db, { chatId: chat.id, heuristic: "Broken model", firstMessage: "Too slow [[local-slow]]", timeoutMs: 200 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await titleOf(chat.id)).toBe("Broken model");
  });
});
