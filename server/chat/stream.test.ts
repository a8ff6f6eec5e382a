import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import {
  billingAccounts,
  chatStreams,
  generationSteps,
  memberSpend,
  messageCitations,
  messages,
  projects,
  providerKeys,
  reservations,
  streamEvents,
  usageEvents,
  userPreferences,
} from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { encryptSecret } from "@/server/billing/provider-keys";
import { resetEnvForTests } from "@/server/env";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { createCaller } from "@/server/routers/_app";
import { createChat } from "./chats";
import { LedgerWriter } from "./stream/ledger";
import { billingRequestId } from "./stream/producer";
import { tailLedger } from "./stream/reader";
import { recoverInterruptedStreams } from "./stream/recover";
import { answerFinished } from "./stream/registry";
import { findReadableStream } from "./stream/resume";
import { startChatTurn } from "./stream/start";
import { requestStop } from "./stream/stop";
import { addSource, ledgerEvents, newRequestId, readSse, runTurn, textOf, useFakeAnthropic } from "@/testing/chat-turns";
import { prepareTurn } from "./turns";

let database: Database;
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await useFakeAnthropic();
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(async () => {
  await database.close();
  await fake.close();
});

async function setup(roles: Array<"editor" | "commenter" | "viewer"> = []) {
  const { owner, project, members } = await makeProject(database.db, roles);
  const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
  return { owner, project, members, chat };
}

const waitFor = async (check: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("timed out");
};

describe("cloud answers through the real Anthropic SDK and the fake upstream", () => {
  it("streams, persists, and shows the same cost in the end event, the message and the one usage event", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Why do leaves turn yellow?", tier: "cloud" });
    const [first, ...rest] = turn.events;
    expect(first?.seq).toBe(1);
    expect(first?.event).toMatchObject({ type: "metadata", phase: "analyzing", userMessageId: turn.userMessageId, assistantMessageId: turn.assistantMessageId, branchId: turn.branchId });
    expect(rest.map((e) => e.event.type === "metadata" && e.event.phase).filter(Boolean)).toEqual(["retrieving", "generating", "verifying"]);
    const text = textOf(turn.events);
    expect(text).toContain('You asked: "Why do leaves turn yellow?"');
    const end = turn.events.at(-1)?.event;
    if (end?.type !== "end") throw new Error(`expected an end event, got ${JSON.stringify(end)}`);
    const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message).toMatchObject({ status: "complete", tier: "cloud", model: "claude-sonnet-5-5", content: text });
    expect(message?.tokensIn).toBeGreaterThan(0);
    expect(end.tokensUsed).toEqual({ prompt: message?.tokensIn, completion: message?.tokensOut });
    const usage = await db.select().from(usageEvents).where(eq(usageEvents.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(usage).toHaveLength(1);
    const charged = (usage[0]?.costBasisMicros ?? 0n) + (usage[0]?.markupMicros ?? 0n) + (usage[0]?.feeMicros ?? 0n);
    expect(charged).toBeGreaterThan(0n);
    expect(end.costMicros).toBe(charged.toString());
    expect(message?.costMicros).toBe(charged);
    // cost basis = ceil((in × $2 + out × $10) / 1M tokens) in micro-USD (free tier: charged = basis)
    expect(charged).toBe((BigInt(message?.tokensIn ?? 0) * 2_000_000n + BigInt(message?.tokensOut ?? 0) * 10_000_000n + 999_999n) / 1_000_000n);
    const steps = await db.select().from(generationSteps).where(eq(generationSteps.messageId, turn.assistantMessageId));
    expect(steps.map((s) => s.kind).sort()).toEqual(["escalation", "generation", "retrieval", "timing", "verification"]);
    expect(end.modelUsed).toBe("claude-sonnet-5-5");
    expect(end.sources).toEqual([]);
  });

  it("a retry with the same requestId replays the same stream: one answer, one upstream call, one usage event", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const requestId = newRequestId();
    const calls = fake.requests.length;
    const request = { requestId, chatId: chat.id, parentId: null, content: "Idempotent please", tier: "cloud" as const };
    const a = await startChatTurn(db, { userId: owner.id, request });
    const b = await startChatTurn(db, { userId: owner.id, request });
    await answerFinished(a.stream.id);
    const c = await startChatTurn(db, { userId: owner.id, request });
    expect(b.stream.id).toBe(a.stream.id);
    expect(c).toMatchObject({ replay: true, assistantMessageId: a.assistantMessageId });
    expect(fake.requests.length).toBe(calls + 1);
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(2);
    expect(await db.$count(usageEvents, eq(usageEvents.requestId, billingRequestId(owner.id, requestId)))).toBe(1);
    const replayed = await readSse(tailLedger(db, { streamId: c.stream.id, afterSeq: 0 }));
    expect(replayed.map((f) => f.id)).toEqual((await ledgerEvents(db, a.stream.id)).map((e) => e.seq));
    // the same id for a different message is a mistake, not a replay
    await expect(startChatTurn(db, { userId: owner.id, request: { ...request, chatId: (await setup()).chat.id } })).rejects.toMatchObject({ code: expect.stringMatching(/not_found|conflict/) });
  });

  it("accepts the next Send as soon as the end event is out, even while the producer is still tidying up", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const first = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "First", tier: "cloud" } });
    await waitFor(async () => (await ledgerEvents(db, first.stream.id)).some((e) => e.event.type === "end"), 15_000);
    const next = await startChatTurn(db, {
      userId: owner.id,
      request: { requestId: newRequestId(), chatId: chat.id, branchId: first.branchId, parentId: first.assistantMessageId, content: "Second", tier: "cloud" },
    });
    expect(next.branchId).toBe(first.branchId);
    await answerFinished(first.stream.id);
    await answerFinished(next.stream.id);
  });

  it("resumes from any event id: the rest of the ledger, in order, ending with the final event", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Resume me", tier: "cloud" });
    const all = turn.events.map((e) => e.seq);
    expect(all).toEqual(all.map((_, i) => i + 1));
    for (const after of all.slice(0, -1)) {
      const frames = await readSse(tailLedger(db, { streamId: turn.stream.id, afterSeq: after }));
      expect(frames.map((f) => f.id)).toEqual(all.filter((s) => s > after));
      expect(frames.at(-1)?.data.type).toBe("end");
    }
  });

  it("readers in the producer's process get exactly the ledger: every id, every event, in order", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Go long [[long]]", tier: "cloud" } });
    const first = readSse(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 }));
    await waitFor(async () => (await ledgerEvents(db, turn.stream.id)).length > 50);
    const late = readSse(tailLedger(db, { streamId: turn.stream.id, afterSeq: 7 }));
    await answerFinished(turn.stream.id);
    const stored = await ledgerEvents(db, turn.stream.id);
    expect(stored.at(-1)?.event.type).toBe("end");
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const asFrames = (events: typeof stored) => events.map((e) => ({ id: e.seq, data: e.event }));
    expect(await first).toEqual(asFrames(stored));
    expect(await late).toEqual(asFrames(stored.filter((e) => e.seq > 7)));
  });

  it("a watcher that joins mid-stream sees the tokens arrive live; Stop keeps the partial answer as stopped and bills what was produced", async () => {
    const { owner, chat } = await setup(["viewer"]);
    const db = database.db;
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Tell me slowly [[slow]]", tier: "cloud" } });
    await waitFor(async () => textOf(await ledgerEvents(db, turn.stream.id)).split(" ").length > 6);
    const watcher = readSse(tailLedger(db, { streamId: turn.stream.id, afterSeq: 0 }));
    const thread = await createCaller(contextFor(db, owner)).chat.thread({ projectId: (await projectOf(chat.id)), chatId: chat.id });
    expect(thread.activeStream).toEqual({ streamId: turn.stream.id, assistantMessageId: turn.assistantMessageId });
    // the row catches up with the ledger while the answer is still being written
    await waitFor(async () => ((await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId)))[0]?.content ?? "").startsWith("word1 "));
    await requestStop(db, { projectId: await projectOf(chat.id), streamId: turn.stream.id });
    await answerFinished(turn.stream.id);
    const frames = await watcher;
    const end = frames.at(-1)?.data;
    expect(end).toMatchObject({ type: "end", status: "stopped" });
    const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message?.status).toBe("stopped");
    expect(message?.content).toMatch(/^word1 word2 word3/);
    expect(message?.content).not.toContain("word200");
    expect(message?.content).toBe(frames.map((f) => (f.data.type === "content" ? f.data.text : "")).join(""));
    const [usage] = await db.select().from(usageEvents).where(eq(usageEvents.messageId, turn.assistantMessageId));
    expect(usage?.tokensOut).toBeGreaterThan(0);
    expect(usage?.tokensOut).toBeLessThan(200);
    expect(end?.type === "end" && end.costMicros).toBe(message?.costMicros.toString());
    const [hold] = await db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(hold?.status).toBe("settled");
  });

  it("deleting the chat mid-answer is refused (it would go to the trash under a running answer); the answer finishes and bills once", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const turn = await startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Doomed [[slow]]", tier: "cloud" } });
    await waitFor(async () => textOf(await ledgerEvents(db, turn.stream.id)).split(" ").length > 4);
    await expect(createCaller(contextFor(db, owner)).chat.delete({ projectId: project.id, chatId: chat.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("still being written"),
    });
    await answerFinished(turn.stream.id);
    const [hold] = await db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(hold?.status).toBe("settled");
    const usage = await db.select().from(usageEvents).where(eq(usageEvents.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(usage).toHaveLength(1);
    expect(usage[0]?.messageId).toBe(turn.assistantMessageId);
    // once it has finished, the chat may go
    await expect(createCaller(contextFor(db, owner)).chat.delete({ projectId: project.id, chatId: chat.id })).resolves.toMatchObject({ ok: true });
  });

  it("an upstream error mid-stream ends with an error event; the message keeps its text with status error", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Please fail [[error]]", tier: "cloud" });
    const last = turn.events.at(-1)?.event;
    expect(last).toMatchObject({ type: "error", code: "upstream:overloaded_error" });
    expect(last?.type === "error" && last.message).toMatch(/overloaded/i);
    const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message?.status).toBe("error");
    expect(message?.content).toBe(textOf(turn.events));
    expect(message?.content.split(" ").length).toBeGreaterThanOrEqual(5);
    const [hold] = await db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(hold?.status).not.toBe("open");
    const [stream] = await db.select().from(chatStreams).where(eq(chatStreams.id, turn.stream.id));
    expect(stream?.status).toBe("done");
  });

  it("an upstream refusal before any token releases the hold and charges nothing", async () => {
    const { owner, chat } = await setup();
    const db = database.db;
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Overloaded [[529]]", tier: "cloud" });
    expect(turn.events.at(-1)?.event).toMatchObject({ type: "error" });
    const [hold] = await db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(owner.id, turn.stream.requestId)));
    expect(hold?.status).toBe("released");
    expect(await db.$count(usageEvents, eq(usageEvents.messageId, turn.assistantMessageId))).toBe(0);
  });

  it("sends the cloud only the branch's ancestors, the sources, the project's instructions and the person's preferences", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    await db
      .update(projects)
      .set({ settings: { escalationPolicy: "manual", defaultCloudModel: null, systemPrompt: "You advise gardeners.", constraints: "Never recommend pesticides." } })
      .where(eq(projects.id, project.id));
    await db.insert(userPreferences).values({ userId: owner.id, language: "de", verbosity: "concise", tone: "friendly" });
    await addSource(db, { projectId: project.id, title: "Compost guide", texts: ["Compost needs nitrogen-rich greens and carbon-rich browns in balance."] });
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Tell me about compost greens", tier: "local" });
    const secret = await runTurn(db, owner.id, { chatId: chat.id, parentId: a.assistantMessageId, content: "PURPLE-ELEPHANT sibling secret", tier: "local" });
    const visible = await runTurn(db, owner.id, { chatId: chat.id, branchId: secret.branchId, parentId: a.assistantMessageId, content: "What about compost browns?", tier: "local" });
    const calls = fake.requests.length;
    const escalated = await runTurn(db, owner.id, { chatId: chat.id, branchId: visible.branchId, answerTo: visible.userMessageId, tier: "cloud" });
    expect(fake.requests.length).toBe(calls + 1);
    const sent = fake.requests.at(-1)?.body;
    const everything = JSON.stringify(sent);
    expect(everything).not.toContain("PURPLE-ELEPHANT");
    expect(sent?.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(sent?.messages[0]?.content).toBe("Tell me about compost greens");
    expect(sent?.messages[2]?.content).toBe("What about compost browns?");
    expect(sent?.system).toContain("You advise gardeners.");
    expect(sent?.system).toContain("Never recommend pesticides.");
    expect(sent?.system).toContain('language "de"');
    expect(sent?.system).toContain("concise");
    expect(sent?.system).toMatch(/\[1\] Compost guide \(relevance 0\.\d+\)/);
    expect(fake.requests.at(-1)?.apiKey).toBe("test-key");
    // the escalated answer is a sibling of the local one, on its own branch, and cites [1]
    expect(escalated.branchId).not.toBe(visible.branchId);
    const siblings = await db.select({ id: messages.id }).from(messages).where(eq(messages.parentId, visible.userMessageId));
    expect(siblings).toHaveLength(2);
    const cites = await db.select().from(messageCitations).where(eq(messageCitations.messageId, escalated.assistantMessageId));
    expect(cites).toHaveLength(1);
    expect(cites[0]).toMatchObject({ number: 1 });
  });

  it("the auto policy escalates when the vault is not confident and answers locally, with citations, when it is", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    await db.update(projects).set({ settings: { escalationPolicy: "auto", defaultCloudModel: null, systemPrompt: "", constraints: "" } }).where(eq(projects.id, project.id));
    const cloud = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Something the vault does not know" });
    expect((await db.select().from(messages).where(eq(messages.id, cloud.assistantMessageId)))[0]?.tier).toBe("cloud");
    await addSource(db, { projectId: project.id, title: "Rose care", texts: ["Prune roses in late winter, cutting above an outward-facing bud. Roses like sun."] });
    const local = await runTurn(db, owner.id, { chatId: chat.id, parentId: cloud.assistantMessageId, content: "When should I prune roses?" });
    const [answer] = await db.select().from(messages).where(eq(messages.id, local.assistantMessageId));
    expect(answer).toMatchObject({ tier: "local", model: "vault-responder", costMicros: 0n });
    expect(answer?.content).toContain("Prune roses in late winter");
    expect(answer?.content).toContain("[1]");
    expect(await db.$count(messageCitations, eq(messageCitations.messageId, local.assistantMessageId))).toBe(1);
    expect(await db.$count(usageEvents, eq(usageEvents.messageId, local.assistantMessageId))).toBe(0);
  });

  it("without any key, Escalate explains how to configure one", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    delete process.env.ANTHROPIC_API_KEY;
    resetEnvForTests();
    try {
      const status = await createCaller(contextFor(db, owner)).chat.escalationStatus({ projectId: project.id });
      expect(status.cloudConfigured).toBe(false);
      expect(status.howTo).toMatch(/ANTHROPIC_API_KEY.*own Anthropic key/s);
      await expect(
        startChatTurn(db, { userId: owner.id, request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "hi", tier: "cloud" } }),
      ).rejects.toMatchObject({ code: "bad_request:cloud_not_configured", message: expect.stringMatching(/ANTHROPIC_API_KEY/) });
      expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(0);
    } finally {
      process.env.ANTHROPIC_API_KEY = "test-key";
      resetEnvForTests();
    }
  });

  it("with no platform key, the payer's own key (BYOK) enables Claude and is the key sent upstream", async () => {
    const { owner, members, project, chat } = await setup(["editor"]);
    const db = database.db;
    delete process.env.ANTHROPIC_API_KEY;
    resetEnvForTests();
    try {
      await ensureBillingAccount(db, owner.id);
      await db.update(billingAccounts).set({ tier: "byok" }).where(eq(billingAccounts.userId, owner.id));
      await db.insert(providerKeys).values({ userId: owner.id, provider: "anthropic", ciphertext: encryptSecret("sk-ant-owner-own-key"), hint: "sk-ant-…-key" });
      expect((await createCaller(contextFor(db, owner)).chat.escalationStatus({ projectId: project.id })).cloudConfigured).toBe(true);
      // a guest's Escalate is paid by the owner, with the owner's key
      const turn = await runTurn(db, members.editor?.id ?? "", { chatId: chat.id, parentId: null, content: "Use my key", tier: "cloud" });
      expect(turn.events.at(-1)?.event.type).toBe("end");
      expect(fake.requests.at(-1)?.apiKey).toBe("sk-ant-owner-own-key");
      const [usage] = await db.select().from(usageEvents).where(eq(usageEvents.messageId, turn.assistantMessageId));
      expect(usage).toMatchObject({ billingTier: "byok", payerId: owner.id, actorId: members.editor?.id });
    } finally {
      process.env.ANTHROPIC_API_KEY = "test-key";
      resetEnvForTests();
    }
  });

  it("only editors can send; resuming an unknown or foreign stream is not found", async () => {
    const { owner, members, chat } = await setup(["viewer", "commenter", "editor"]);
    const db = database.db;
    const request = () => ({ requestId: newRequestId(), chatId: chat.id, parentId: null, content: "hi", tier: "local" as const });
    await expect(startChatTurn(db, { userId: members.viewer?.id ?? "", request: request() })).rejects.toMatchObject({ code: "forbidden:project" });
    await expect(startChatTurn(db, { userId: members.commenter?.id ?? "", request: request() })).rejects.toMatchObject({ code: "forbidden:project" });
    const stranger = await makeUser(db);
    await expect(startChatTurn(db, { userId: stranger.id, request: request() })).rejects.toMatchObject({ code: "not_found:project" });
    const turn = await runTurn(db, members.editor?.id ?? "", request());
    await expect(findReadableStream(db, { streamId: turn.stream.id, userId: members.viewer?.id ?? "" })).resolves.toMatchObject({ id: turn.stream.id });
    await expect(findReadableStream(db, { streamId: turn.stream.id, userId: stranger.id })).rejects.toMatchObject({ code: "not_found:stream" });
    await expect(findReadableStream(db, { streamId: "00000000-0000-4000-8000-000000000000", userId: owner.id })).rejects.toMatchObject({ code: "not_found:stream" });
    await expect(findReadableStream(db, { streamId: "nope", userId: owner.id })).rejects.toMatchObject({ code: "not_found:stream" });
  });
});

describe("the turn and its budget hold are one transaction", () => {
  const send = (userId: string, request: Partial<Parameters<typeof startChatTurn>[1]["request"]> & { chatId: string }) =>
    startChatTurn(database.db, { userId, request: { requestId: newRequestId(), parentId: null, content: "Hold me", tier: "cloud", ...request } });
  const heldBy = async (projectId: string) => ({
    reservations: await database.db.$count(reservations, eq(reservations.projectId, projectId)),
    messages: await database.db.$count(messages),
  });

  it("a refused budget leaves no turn behind: no message, no stream, no hold", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    await ensureBillingAccount(db, owner.id);
    await db.update(billingAccounts).set({ freeAllowanceMicros: 100n }).where(eq(billingAccounts.userId, owner.id));
    const before = await heldBy(project.id);
    const calls = fake.requests.length;
    await expect(send(owner.id, { chatId: chat.id })).rejects.toMatchObject({ code: "payment_required:budget" });
    expect(await heldBy(project.id)).toEqual(before);
    expect(await db.$count(chatStreams, eq(chatStreams.chatId, chat.id))).toBe(0);
    expect(fake.requests.length).toBe(calls);
    const [account] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, owner.id));
    expect(account?.reservedMicros).toBe(0n);
  });

  it("a refused turn holds nothing: a second Send on a streaming branch reserves no budget and calls no model", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const first = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "still streaming", requestId: newRequestId(), by: owner.id });
    const before = await heldBy(project.id);
    const calls = fake.requests.length;
    await expect(send(owner.id, { chatId: chat.id, branchId: first.branchId, parentId: first.assistantMessageId })).rejects.toMatchObject({ code: "conflict:streaming" });
    expect(await heldBy(project.id)).toEqual(before);
    expect(fake.requests.length).toBe(calls);
    const [member] = await db.select().from(memberSpend).where(eq(memberSpend.userId, owner.id));
    expect(member?.reservedMicros ?? 0n).toBe(0n);
    await db.update(chatStreams).set({ status: "done" }).where(eq(chatStreams.id, first.stream.id));
  });

  it("two Sends racing on one branch: one answer, the other refused, nothing orphaned", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const results = await Promise.allSettled([send(owner.id, { chatId: chat.id, content: "Racer A [[slow]]" }), send(owner.id, { chatId: chat.id, content: "Racer B [[slow]]" })]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "conflict:streaming" });
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(2);
    expect(await db.$count(reservations, eq(reservations.projectId, project.id))).toBe(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof send>>>).value;
    await requestStop(db, { projectId: project.id, streamId: winner.stream.id });
    await answerFinished(winner.stream.id);
  });

  it("the same requestId twice at once: one stream, one upstream call, one hold", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    const requestId = newRequestId();
    const calls = fake.requests.length;
    const [a, b] = await Promise.all([send(owner.id, { chatId: chat.id, requestId }), send(owner.id, { chatId: chat.id, requestId })]);
    expect(b.stream.id).toBe(a.stream.id);
    await answerFinished(a.stream.id);
    expect(fake.requests.length).toBe(calls + 1);
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(2);
    expect(await db.$count(reservations, eq(reservations.projectId, project.id))).toBe(1);
    expect(await db.$count(usageEvents, eq(usageEvents.requestId, billingRequestId(owner.id, requestId)))).toBe(1);
  });
});

describe("after a crash", () => {
  it("marks answers left streaming as interrupted with the ledger's text, and ends their ledgers", async () => {
    const { owner, project, chat } = await setup();
    const db = database.db;
    // a turn whose producer "died": persisted, some events in the ledger, the row never updated
    const turn = await prepareTurn(db, { projectId: project.id, chatId: chat.id, parentId: null, content: "crash", requestId: newRequestId(), by: owner.id });
    const ledger = new LedgerWriter(db, turn.stream.id);
    ledger.append({ type: "metadata", phase: "analyzing", agent: "arbor" });
    ledger.append({ type: "content", text: "Partial " });
    ledger.append({ type: "content", text: "answer" });
    await ledger.flush();
    const watcher = readSse(tailLedger(db, { streamId: turn.stream.id, afterSeq: 1 }));
    expect(await recoverInterruptedStreams(db, { staleMs: 0 })).toBeGreaterThanOrEqual(1);
    const [message] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(message).toMatchObject({ status: "interrupted", content: "Partial answer" });
    const frames = await watcher;
    expect(frames.map((f) => f.id)).toEqual([2, 3, 4]);
    expect(frames.at(-1)?.data).toMatchObject({ type: "error", code: "interrupted" });
    const [stream] = await db.select().from(chatStreams).where(eq(chatStreams.id, turn.stream.id));
    expect(stream?.status).toBe("done");
    // a second sweep changes nothing
    await recoverInterruptedStreams(db, { staleMs: 0 });
    expect(await db.$count(streamEvents, and(eq(streamEvents.streamId, turn.stream.id)))).toBe(4);
  });
});

async function projectOf(chatId: string): Promise<string> {
  const { chats } = await import("@/db/schema");
  const [row] = await database.db.select({ projectId: chats.projectId }).from(chats).where(eq(chats.id, chatId));
  return row?.projectId ?? "";
}
