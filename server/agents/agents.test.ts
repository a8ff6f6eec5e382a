import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { agents, DEFAULT_PROJECT_SETTINGS, messages, reservations, sources } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { estimateTurnHold } from "@/server/chat/hold-estimate";
import { billingRequestId } from "@/server/chat/stream/producer";
import { startChatTurn } from "@/server/chat/stream/start";
import { addSource, runTurn } from "@/testing/chat-turns";
import { chatEnvironment } from "@/testing/chat-environment";
import { makeProject } from "@/testing/fixtures";
import { type AgentInput, archiveAgent, createAgent, setChatAgent, updateAgent } from "./agents";

const env = chatEnvironment();

const SOIL_AGENT: AgentInput = {
  name: "Soil scientist",
  instructions: "Always answer as a soil scientist and end with SOIL-AGENT-MARKER.",
  defaultTier: "cloud",
  defaultModel: "claude-haiku-5-5",
  temperature: 0.3,
  maxTokens: 321,
  scope: "vault",
  sourceIds: [],
};

async function setup() {
  const db = env.database.db;
  const { owner, project } = await makeProject(db);
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  return { db, owner, project, chat };
}

const lastRequest = () => env.fake.requests.at(-1)?.body as unknown as { system: string; temperature?: number; max_tokens: number; model: string };

describe("a project agent answers", () => {
  it("with its instructions, tier, model, temperature and max tokens, and the answer records it as used", async () => {
    const { db, owner, project, chat } = await setup();
    const agent = await createAgent(db, { projectId: project.id, by: owner.id, input: SOIL_AGENT });
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "What is loam?", agentId: agent.id });
    const sent = lastRequest();
    expect(sent.system).toContain('Agent "Soil scientist" instructions:\nAlways answer as a soil scientist and end with SOIL-AGENT-MARKER.');
    expect(sent).toMatchObject({ model: "claude-haiku-5-5", temperature: 0.3, max_tokens: 321 });
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ tier: "cloud", model: "claude-haiku-5-5", agentId: agent.id });
    expect(answer?.agentSnapshot).toMatchObject({ name: "Soil scientist", temperature: 0.3, maxTokens: 321, defaultModel: "claude-haiku-5-5" });
    const generating = turn.events.find(({ event }) => event.type === "metadata" && event.phase === "generating")?.event;
    expect(generating).toMatchObject({ agent: "Soil scientist" });

    // Editing the agent changes the next turns only: the answer keeps the settings it was written with.
    await updateAgent(db, { projectId: project.id, agentId: agent.id, by: owner.id, input: { ...SOIL_AGENT, name: "Geologist", temperature: 0.9 } });
    const [again] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(again?.agentSnapshot).toMatchObject({ name: "Soil scientist", temperature: 0.3 });
  });

  it("the chat's agent answers every turn that names none; a turn's own agent wins; what the person chose beats the agent's defaults", async () => {
    const { db, owner, project, chat } = await setup();
    const soil = await createAgent(db, { projectId: project.id, by: owner.id, input: SOIL_AGENT });
    const brief = await createAgent(db, { projectId: project.id, by: owner.id, input: { ...SOIL_AGENT, name: "Brief", instructions: "BRIEF-MARKER", temperature: null, maxTokens: null } });
    await setChatAgent(db, { projectId: project.id, chatId: chat.id, agentId: soil.id });
    const first = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "One?" });
    expect(lastRequest().system).toContain("SOIL-AGENT-MARKER");
    const second = await runTurn(db, owner.id, { chatId: chat.id, parentId: first.assistantMessageId, content: "Two?", agentId: brief.id, tier: "cloud", model: "claude-opus-5-5", maxTokens: 99 });
    const sent = lastRequest();
    expect(sent.system).toContain("BRIEF-MARKER");
    expect(sent.system).not.toContain("SOIL-AGENT-MARKER");
    expect(sent).toMatchObject({ model: "claude-opus-5-5", max_tokens: 99 });
    expect(sent.temperature).toBeUndefined();
    const [answer] = await db.select().from(messages).where(eq(messages.id, second.assistantMessageId));
    expect(answer?.agentSnapshot?.name).toBe("Brief");
  });

  it("draws only on its chosen sources", async () => {
    const { db, owner, project, chat } = await setup();
    const clay = await addSource(db, { projectId: project.id, title: "Clay notes", texts: ["Clay soil drains slowly and holds nutrients."] });
    await addSource(db, { projectId: project.id, title: "Sand notes", texts: ["Sandy soil drains quickly and holds few nutrients."] });
    const agent = await createAgent(db, { projectId: project.id, by: owner.id, input: { ...SOIL_AGENT, defaultTier: "local", defaultModel: null, scope: "sources", sourceIds: [clay.id] } });
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "How does soil drain and hold nutrients?", agentId: agent.id });
    const end = turn.events.at(-1)?.event;
    const titles = end?.type === "end" ? (end.sources ?? []).map((s) => s.title) : [];
    expect(titles).toEqual(["Clay notes"]);
  });

  it("the estimate is shaped by the agent exactly as the turn's hold is", async () => {
    const { db, owner, project, chat } = await setup();
    const agent = await createAgent(db, { projectId: project.id, by: owner.id, input: SOIL_AGENT });
    const estimate = await estimateTurnHold(db, { projectId: project.id, settings: DEFAULT_PROJECT_SETTINGS, userId: owner.id, chatId: chat.id, content: "Loam?", tier: "auto", agentId: agent.id });
    await runTurn(db, owner.id, { requestId: "req-agent-hold", chatId: chat.id, parentId: null, content: "Loam?", agentId: agent.id });
    const [hold] = await db.select().from(reservations).where(eq(reservations.requestId, billingRequestId(owner.id, "req-agent-hold")));
    expect(estimate).toMatchObject({ kind: "cloud", model: "claude-haiku-5-5", amountMicros: hold?.amountMicros, tokensOut: 321 });
  });
});

describe("bad agent input gets a clear message and writes nothing", () => {
  it("a deleted source, a missing source list, an unknown model, a cloud model on a local agent", async () => {
    const { db, owner, project } = await setup();
    const gone = await addSource(db, { projectId: project.id, title: "Soon gone", texts: ["x"] });
    await db.delete(sources).where(eq(sources.id, gone.id));
    const cases: Array<[Partial<AgentInput>, RegExp]> = [
      [{ scope: "sources", sourceIds: [gone.id] }, /chosen source no longer exists/],
      [{ scope: "sources", sourceIds: [] }, /Choose at least one source/],
      [{ defaultModel: "gpt-imaginary" }, /no model "gpt-imaginary"/],
      [{ defaultTier: "local" }, /A local agent cannot have a cloud model/],
      [{ name: "   " }, /Give the agent a name/],
    ];
    for (const [change, message] of cases) {
      await expect(createAgent(db, { projectId: project.id, by: owner.id, input: { ...SOIL_AGENT, ...change } })).rejects.toThrow(message);
    }
    expect(await db.$count(agents, eq(agents.projectId, project.id))).toBe(0);
  });

  it("a turn with an archived agent or another project's agent is refused before anything is written", async () => {
    const { db, owner, project, chat } = await setup();
    const other = await setup();
    const foreign = await createAgent(db, { projectId: other.project.id, by: other.owner.id, input: SOIL_AGENT });
    const archived = await createAgent(db, { projectId: project.id, by: owner.id, input: SOIL_AGENT });
    await setChatAgent(db, { projectId: project.id, chatId: chat.id, agentId: archived.id });
    await archiveAgent(db, { projectId: project.id, agentId: archived.id, by: owner.id });
    const turn = (agentId: string) => startChatTurn(db, { userId: owner.id, request: { requestId: `req-${agentId}`, chatId: chat.id, parentId: null, content: "Hi", tier: "auto", agentId } });
    await expect(turn(foreign.id)).rejects.toMatchObject({ code: "not_found:agent" });
    await expect(turn(archived.id)).rejects.toMatchObject({ code: "bad_request:agent", message: expect.stringContaining("archived") });
    await expect(setChatAgent(db, { projectId: project.id, chatId: chat.id, agentId: foreign.id })).rejects.toMatchObject({ code: "not_found:agent" });
    expect(await db.$count(messages, eq(messages.chatId, chat.id))).toBe(0);
    // Archiving took it off the chat, so the next plain turn answers without it.
    const plain = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Hello", tier: "local" });
    const [answer] = await db.select().from(messages).where(eq(messages.id, plain.assistantMessageId));
    expect(answer?.agentId).toBeNull();
  });
});
