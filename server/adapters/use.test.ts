import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { adapters, messages } from "@/db/schema";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { createAgent } from "@/server/agents/agents";
import { getAnswerDetails } from "@/server/chat/answer-details";
import { createChat } from "@/server/chat/chats";
import { getThread } from "@/server/chat/thread";
import { resetEnvForTests } from "@/server/env";
import { runTurn, useFakeAnthropic } from "@/testing/chat-turns";
import { createTestDatabase } from "@/testing/database";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { type FakeLocalModel, startFakeLocalModel } from "@/testing/fakes/local-model";
import { makeProject } from "@/testing/fixtures";
import { selectAdapter } from "./selection";

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

async function readyAdapter(projectId: string, ownerId: string, name: string, servedName: string) {
  const [row] = await database.db
    .insert(adapters)
    .values({ projectId, uploadedBy: ownerId, name, fileName: `${servedName}.safetensors`, baseModel: "meta-llama/Llama-3.1-8B-Instruct", servedName, sizeBytes: 100, sha256: servedName.padEnd(64, "0").slice(0, 64).replace(/[^0-9a-f]/g, "a"), status: "ready", rank: 8 })
    .returning();
  if (!row) throw new Error("no adapter");
  return row;
}

/** The model names the fake local server was asked for, answers only (titles are not streamed). */
const askedModels = () => local.requests.filter((r) => (r as { stream?: boolean }).stream).map((r) => (r as { model: string }).model);

describe("answering with a LoRA adapter on the local tier", () => {
  it("asks the local server for the adapter's served name, says loraApplied, and counts the use", async () => {
    const { owner, project } = await makeProject(database.db);
    const adapter = await readyAdapter(project.id, owner.id, "Support tone", "support-tone-lora");
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    await selectAdapter(database.db, { projectId: project.id, target: { kind: "chat", chatId: chat.id }, adapterId: adapter.id });

    const turn = await runTurn(database.db, owner.id, { chatId: chat.id, parentId: null, content: "Hello", tier: "local" });
    expect(askedModels().at(-1)).toBe("support-tone-lora");
    const end = turn.events.at(-1)?.event;
    expect(end).toMatchObject({ type: "end", loraApplied: true, modelUsed: "support-tone-lora" });
    const [answer] = await database.db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ adapterId: adapter.id, adapterName: "Support tone", loraApplied: true, model: "support-tone-lora" });
    const [after] = await database.db.select().from(adapters).where(eq(adapters.id, adapter.id));
    expect(after?.useCount).toBe(1);
    expect(after?.lastUsedAt).toBeInstanceOf(Date);
    // The thread the page shows carries it too (the answer's "LoRA applied" line).
    const thread = await getThread(database.db, { projectId: project.id, chatId: chat.id });
    expect(thread.messages.at(-1)).toMatchObject({ adapterName: "Support tone", loraApplied: true });
    const details = await getAnswerDetails(database.db, { projectId: project.id, messageId: turn.assistantMessageId });
    expect(details.adapter).toMatchObject({ name: "Support tone", applied: true });

    // Escalated to Claude: the adapter is chosen but not applied, and the details say so plainly.
    const cloud = await runTurn(database.db, owner.id, { chatId: chat.id, parentId: null, answerTo: turn.userMessageId, tier: "cloud" });
    expect(cloud.events.at(-1)?.event).toMatchObject({ type: "end", loraApplied: false });
    const cloudDetails = await getAnswerDetails(database.db, { projectId: project.id, messageId: cloud.assistantMessageId });
    expect(cloudDetails.adapter?.applied).toBe(false);
    expect(cloudDetails.adapter?.note).toMatch(/is not applied here: Claude answered, and adapters run only on the local tier/);
    expect((await database.db.select().from(adapters).where(eq(adapters.id, adapter.id)))[0]?.useCount).toBe(1);
  });

  it("takes the chat's adapter over the agent's over the project's; without one the plain local model answers", async () => {
    const { owner, project } = await makeProject(database.db);
    const forProject = await readyAdapter(project.id, owner.id, "Project-wide", "project-lora");
    const forAgent = await readyAdapter(project.id, owner.id, "Agent's", "agent-lora");
    const plain = await createChat(database.db, { projectId: project.id, by: owner.id });
    const none = await runTurn(database.db, owner.id, { chatId: plain.id, parentId: null, content: "no adapter yet", tier: "local" });
    expect(askedModels().at(-1)).toBe("fake-llama");
    expect(none.events.at(-1)?.event).toMatchObject({ type: "end", loraApplied: false });

    await selectAdapter(database.db, { projectId: project.id, target: { kind: "project" }, adapterId: forProject.id });
    await runTurn(database.db, owner.id, { chatId: plain.id, parentId: null, content: "project one", tier: "local" });
    expect(askedModels().at(-1)).toBe("project-lora");

    const agent = await createAgent(database.db, {
      projectId: project.id,
      by: owner.id,
      input: { name: "Tone agent", instructions: "", defaultTier: "local", defaultModel: null, temperature: null, maxTokens: null, scope: "vault", sourceIds: [] },
    });
    await selectAdapter(database.db, { projectId: project.id, target: { kind: "agent", agentId: agent.id }, adapterId: forAgent.id });
    await runTurn(database.db, owner.id, { chatId: plain.id, parentId: null, content: "agent one", tier: "local", agentId: agent.id });
    expect(askedModels().at(-1)).toBe("agent-lora");
  });

  it("refuses to select an adapter that is not ready or belongs to another project", async () => {
    const { owner, project } = await makeProject(database.db);
    const other = await makeProject(database.db);
    const theirs = await readyAdapter(other.project.id, other.owner.id, "Theirs", "theirs-lora");
    await expect(selectAdapter(database.db, { projectId: project.id, target: { kind: "project" }, adapterId: theirs.id })).rejects.toMatchObject({ code: "not_found:adapter" });
    const [uploading] = await database.db
      .insert(adapters)
      .values({ projectId: project.id, uploadedBy: owner.id, name: "Half", fileName: "h.safetensors", baseModel: "b", servedName: "h", sizeBytes: 1, sha256: "b".repeat(64) })
      .returning();
    await expect(selectAdapter(database.db, { projectId: project.id, target: { kind: "project" }, adapterId: uploading?.id ?? "" })).rejects.toMatchObject({ code: "conflict:adapter_not_ready" });
  });
});
