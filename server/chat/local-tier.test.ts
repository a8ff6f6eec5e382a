import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { messages, projects, usageEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import type { FakeAnthropic } from "@/e2e/fakes/anthropic";
import { type FakeLocalModel, startFakeLocalModel } from "@/e2e/fakes/local-model";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { resetEnvForTests } from "@/server/env";
import { makeProject } from "@/server/testing/fixtures";
import { createChat } from "./chats";
import { billingRequestId } from "./stream/producer";
import { runTurn, textOf, useFakeAnthropic } from "./test-support";

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
    const { addSource } = await import("./test-support");
    await addSource(database.db, { projectId: project.id, title: "Notes", texts: ["The crash test dummy reports crash results."] });
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    const localCalls = local.requests.length;
    const turn = await runTurn(database.db, owner.id, { chatId: chat.id, parentId: null, content: "crash test dummy results [[local-fail]]" });
    expect(local.requests.length).toBe(localCalls + 1);
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
