import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { chats, DEFAULT_PROJECT_SETTINGS, messages, modelPrices, projects, reservations } from "@/db/schema";
import { addSource, runTurn } from "@/testing/chat-turns";
import { chatEnvironment } from "@/testing/chat-environment";
import { makeProject } from "@/testing/fixtures";
import { createChat } from "./chats";
import { estimateTurnHold, type HoldEstimate } from "./hold-estimate";
import { createChatWithChoice, listModelChoices, setChatModelChoice } from "./model-choice";
import { billingRequestId } from "./stream/producer";
import { startChatTurn } from "./stream/start";
import { getThread } from "./thread";

const env = chatEnvironment();

const HAIKU = "claude-haiku-5-5";
const OPUS = "claude-opus-5-5";
// A system prompt of many multi-byte characters: a bound counted in characters instead of UTF-8 bytes would differ.
const SETTINGS = { ...DEFAULT_PROJECT_SETTINGS, escalationPolicy: "manual" as const, systemPrompt: "土壌の健康を守る。🌱".repeat(40) };

async function setup() {
  const db = env.database.db;
  const { owner, project } = await makeProject(db);
  await db.update(projects).set({ settings: SETTINGS }).where(eq(projects.id, project.id));
  await addSource(db, { projectId: project.id, title: "Soil notes", texts: ["Compost feeds soil microbes and keeps moisture.", "Mulch protects soil from erosion."] });
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  return { db, owner, project, chat };
}

function cloudAmount(estimate: HoldEstimate): bigint {
  if (estimate.kind !== "cloud") throw new Error(`expected a cloud estimate, got ${estimate.kind}`);
  return estimate.amountMicros;
}

async function heldFor(userId: string, requestId: string) {
  const [row] = await env.database.db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(userId, requestId)));
  if (!row) throw new Error("no reservation");
  return row;
}

describe("the composer's hold estimate is the guard's own bound", () => {
  it("equals the hold the turn then places, for a first question and for a follow-up on the branch", async () => {
    const { db, owner, project, chat } = await setup();
    const base = { projectId: project.id, settings: SETTINGS, userId: owner.id, chatId: chat.id };
    const content = "How does compost help the soil? 土壌";
    const first = await estimateTurnHold(db, { ...base, parentId: null, content, tier: "cloud", model: HAIKU });
    const turn = await runTurn(db, owner.id, { requestId: "req-first-question", chatId: chat.id, parentId: null, content, tier: "cloud", model: HAIKU });
    const hold = await heldFor(owner.id, "req-first-question");
    expect(hold.model).toBe(HAIKU);
    expect(cloudAmount(first)).toBe(hold.amountMicros);
    expect(first).toMatchObject({ tokensIn: hold.boundTokensIn, tokensOut: hold.boundTokensOut });

    const followUp = "And mulch?";
    const second = await estimateTurnHold(db, { ...base, parentId: turn.assistantMessageId, content: followUp, tier: "cloud", model: OPUS, maxTokens: 300 });
    await runTurn(db, owner.id, { requestId: "req-follow-up", chatId: chat.id, parentId: turn.assistantMessageId, content: followUp, tier: "cloud", model: OPUS, maxTokens: 300 });
    const hold2 = await heldFor(owner.id, "req-follow-up");
    expect(cloudAmount(second)).toBe(hold2.amountMicros);
    expect(hold2.boundTokensOut).toBe(300);
  });

  it("equals the hold of escalating an answer (the question answered again, without the old answer)", async () => {
    const { db, owner, project, chat } = await setup();
    const asked = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "What protects soil from erosion?", tier: "local" });
    const estimate = await estimateTurnHold(db, {
      projectId: project.id,
      settings: SETTINGS,
      userId: owner.id,
      chatId: chat.id,
      parentId: asked.userMessageId,
      answerTo: asked.userMessageId,
      tier: "cloud",
      model: OPUS,
    });
    await runTurn(db, owner.id, { requestId: "req-escalate", chatId: chat.id, parentId: asked.userMessageId, answerTo: asked.userMessageId, tier: "cloud", model: OPUS });
    expect(cloudAmount(estimate)).toBe((await heldFor(owner.id, "req-escalate")).amountMicros);
  });

  it("is free on the local tier and under a manual policy's Auto; Auto under the auto policy is what escalating would hold", async () => {
    const { db, owner, project, chat } = await setup();
    const base = { projectId: project.id, userId: owner.id, chatId: chat.id, content: "Anything" };
    expect(await estimateTurnHold(db, { ...base, settings: SETTINGS, tier: "local" })).toEqual({ kind: "free", reason: "local" });
    expect(await estimateTurnHold(db, { ...base, settings: SETTINGS, tier: "auto" })).toEqual({ kind: "free", reason: "policy:manual" });
    const auto = await estimateTurnHold(db, { ...base, settings: { ...SETTINGS, escalationPolicy: "auto" }, tier: "auto" });
    expect(auto).toMatchObject({ kind: "cloud", ifEscalated: true });
    expect(cloudAmount(auto)).toBeGreaterThan(0n);
  });

  it("refuses a chat of another project", async () => {
    const { db, owner, project } = await setup();
    const other = await setup();
    await expect(
      estimateTurnHold(db, { projectId: project.id, settings: SETTINGS, userId: owner.id, chatId: other.chat.id, content: "x", tier: "cloud", model: HAIKU }),
    ).rejects.toMatchObject({ code: "not_found:chat" });
  });
});

describe("choosing a model", () => {
  it("offers every priced cloud model that is not retired", async () => {
    const { db, project } = await setup();
    await db.insert(modelPrices).values({ model: "claude-old-1", provider: "anthropic", label: "Old", family: "sonnet", inputMicrosPerMTok: 1n, outputMicrosPerMTok: 1n, deprecated: 1 }).onConflictDoNothing();
    const choices = await listModelChoices(db, project.id);
    expect(choices.cloud.map((c) => c.model).sort()).toEqual([HAIKU, OPUS, "claude-sonnet-5-5"].sort());
    expect(choices.local.model).toBe("vault-responder");
    expect(choices.cloud.find((c) => c.isDefault)?.model).toBe("claude-sonnet-5-5");
  });

  it("is remembered on the chat and comes back with the thread", async () => {
    const { db, project, chat } = await setup();
    await setChatModelChoice(db, { projectId: project.id, chatId: chat.id, choice: { tier: "cloud", model: HAIKU } });
    const thread = await getThread(db, { projectId: project.id, chatId: chat.id });
    expect(thread.chat.modelChoice).toBe(`cloud:${HAIKU}`);
    await setChatModelChoice(db, { projectId: project.id, chatId: chat.id, choice: { tier: "local" } });
    expect((await getThread(db, { projectId: project.id, chatId: chat.id })).chat.modelChoice).toBe("local");
  });

  it("refuses an unknown or retired model with a clear message and changes nothing", async () => {
    const { db, owner, project, chat } = await setup();
    await setChatModelChoice(db, { projectId: project.id, chatId: chat.id, choice: { tier: "cloud", model: HAIKU } });
    await expect(setChatModelChoice(db, { projectId: project.id, chatId: chat.id, choice: { tier: "cloud", model: "gpt-imaginary" } })).rejects.toMatchObject({
      code: "not_found:model",
      message: expect.stringContaining('"gpt-imaginary"'),
    });
    await db.insert(modelPrices).values({ model: "claude-retired-1", provider: "anthropic", label: "Retired One", family: "sonnet", inputMicrosPerMTok: 1n, outputMicrosPerMTok: 1n, deprecated: 1 }).onConflictDoNothing();
    await expect(setChatModelChoice(db, { projectId: project.id, chatId: chat.id, choice: { tier: "cloud", model: "claude-retired-1" } })).rejects.toMatchObject({
      code: "bad_request:model",
      message: expect.stringContaining("Retired One has been retired"),
    });
    const [row] = await db.select({ modelChoice: chats.modelChoice }).from(chats).where(eq(chats.id, chat.id));
    expect(row?.modelChoice).toBe(`cloud:${HAIKU}`);
    await expect(
      estimateTurnHold(db, { projectId: project.id, settings: SETTINGS, userId: owner.id, chatId: chat.id, content: "x", tier: "cloud", model: "gpt-imaginary" }),
    ).rejects.toMatchObject({ code: "not_found:model" });
    // Sending with it writes no turn and holds nothing.
    await expect(
      startChatTurn(db, { userId: owner.id, request: { requestId: "req-unknown-model", chatId: chat.id, parentId: null, content: "Hello", tier: "cloud", model: "gpt-imaginary" } }),
    ).rejects.toMatchObject({ code: "not_found:model" });
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(0);
    expect(await db.$count(reservations, eq(reservations.projectId, project.id))).toBe(0);
    // A retired model named in the request itself (POST /api/chat, not the picker) is refused the same way.
    await expect(
      startChatTurn(db, { userId: owner.id, request: { requestId: "req-retired-model", chatId: chat.id, parentId: null, content: "Hello", tier: "cloud", model: "claude-retired-1" } }),
    ).rejects.toMatchObject({ code: "bad_request:model", message: expect.stringContaining("Retired One has been retired") });
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(0);
    expect(await db.$count(reservations, eq(reservations.projectId, project.id))).toBe(0);
  });

  it("a new chat starts with the picker's choice; an unknown model makes no chat", async () => {
    const { db, owner, project } = await setup();
    const chat = await createChatWithChoice(db, { projectId: project.id, by: owner.id, choice: { tier: "cloud", model: HAIKU } });
    expect(chat.modelChoice).toBe(`cloud:${HAIKU}`);
    const before = await db.$count(chats, eq(chats.projectId, project.id));
    await expect(createChatWithChoice(db, { projectId: project.id, by: owner.id, choice: { tier: "cloud", model: "nope" } })).rejects.toMatchObject({ code: "not_found:model" });
    expect(await db.$count(chats, eq(chats.projectId, project.id))).toBe(before);
  });

  it("a chat of another project cannot be given a model", async () => {
    const { db, project } = await setup();
    const other = await setup();
    await expect(setChatModelChoice(db, { projectId: project.id, chatId: other.chat.id, choice: { tier: "local" } })).rejects.toMatchObject({ code: "not_found:chat" });
  });
});

describe("escalating any answer to another model", () => {
  it("a cloud answer escalated to Opus becomes a sibling, and the thread carries both costs side by side", async () => {
    const { db, owner, project, chat } = await setup();
    const haiku = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "What does compost do?", tier: "cloud", model: HAIKU });
    const opus = await runTurn(db, owner.id, { chatId: chat.id, parentId: haiku.userMessageId, answerTo: haiku.userMessageId, tier: "cloud", model: OPUS });
    expect(opus.branchId).not.toBe(haiku.branchId);
    const thread = await getThread(db, { projectId: project.id, chatId: chat.id, branchId: opus.branchId });
    const answer = thread.messages.at(-1);
    expect(answer?.id).toBe(opus.assistantMessageId);
    expect(answer?.siblingIds).toEqual([haiku.assistantMessageId, opus.assistantMessageId]);
    const [a, b] = answer?.siblings ?? [];
    expect(a).toMatchObject({ id: haiku.assistantMessageId, tier: "cloud", model: HAIKU });
    expect(b).toMatchObject({ id: opus.assistantMessageId, tier: "cloud", model: OPUS });
    // Opus costs 40× Haiku per token; the answers are the fake's, of similar length.
    expect((b?.costMicros ?? 0n) > (a?.costMicros ?? 0n)).toBe(true);
    expect(thread.messages[0]?.siblings).toEqual([]);
  });
});
