import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { generationSteps, messageCitations, reservations } from "@/db/schema";
import { addSource, runTurn } from "@/testing/chat-turns";
import { chatEnvironment } from "@/testing/chat-environment";
import { makeProject } from "@/testing/fixtures";
import { getAnswerDetails } from "./answer-details";
import { createChat } from "./chats";
import { getThread } from "./thread";

const env = chatEnvironment();

async function setup() {
  const db = env.database.db;
  const { owner, project } = await makeProject(db);
  await addSource(db, { projectId: project.id, title: "Soil notes", texts: ["Soil holds water; compost improves soil structure.", "Clay soil drains slowly."] });
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  return { db, owner, project, chat };
}

describe("the verifying phase", () => {
  it("is sent after generating, and the end event carries the model used and every source with its verdict", async () => {
    const { db, owner, chat } = await setup();
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "How does compost help soil? [[fabricate]]", tier: "cloud", model: "claude-haiku-5-5" });
    const phases = turn.events.flatMap(({ event }) => (event.type === "metadata" ? [event.phase] : []));
    expect(phases).toEqual(["analyzing", "retrieving", "generating", "verifying"]);
    const last = turn.events.at(-1)?.event;
    expect(last?.type).toBe("end");
    if (last?.type !== "end") return;
    expect(last.modelUsed).toBe("claude-haiku-5-5");
    // The env.fake cites [1] plainly (supported), then misquotes [1] and cites [9], which it was never given.
    expect(last.sources).toEqual([
      expect.objectContaining({ number: 1, title: "Soil notes", supported: false, problem: "quote_not_found" }),
      expect.objectContaining({ number: 9, chunkId: null, sourceId: null, title: null, supported: false, problem: "no_such_source" }),
    ]);
  });

  it("keeps the verdicts with the answer's citations and in its trace, so the thread marks them", async () => {
    const { db, owner, project, chat } = await setup();
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Tell me about soil [[fabricate]]", tier: "cloud" });
    const rows = await db.select().from(messageCitations).where(eq(messageCitations.messageId, turn.assistantMessageId)).orderBy(messageCitations.number);
    expect(rows.map((r) => [r.number, r.problem, r.chunkId === null])).toEqual([
      [1, "quote_not_found", false],
      [9, "no_such_source", true],
    ]);
    const thread = await getThread(db, { projectId: project.id, chatId: chat.id });
    expect(thread.messages.at(-1)?.citations.map((c) => [c.number, c.sourceTitle, c.problem])).toEqual([
      [1, "Soil notes", "quote_not_found"],
      [9, "No such source", "no_such_source"],
    ]);
    const steps = await db.select().from(generationSteps).where(eq(generationSteps.messageId, turn.assistantMessageId));
    const verification = steps.find((s) => s.kind === "verification");
    expect(verification?.detail).toMatchObject({ checked: 2, unsupported: [{ number: 1, problem: "quote_not_found", quote: "soil is made of cheese" }, { number: 9, problem: "no_such_source" }] });
    const timing = steps.find((s) => s.kind === "timing")?.detail as { phases: Array<{ phase: string }>; ttftMs: number | null } | undefined;
    expect(timing?.phases.map((p) => p.phase)).toEqual(["analyzing", "retrieving", "generating", "verifying"]);
    expect(timing?.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it("an honest answer's citations all hold up, the vault responder's quotes included", async () => {
    const { db, owner, chat } = await setup();
    const cloud = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "How does compost help soil?", tier: "cloud" });
    const end = cloud.events.at(-1)?.event;
    expect(end?.type === "end" && end.sources).toEqual([expect.objectContaining({ number: 1, supported: true, problem: null })]);
    const local = await runTurn(db, owner.id, { chatId: chat.id, parentId: cloud.assistantMessageId, content: "What about clay soil drains?", tier: "local" });
    const localEnd = local.events.at(-1)?.event;
    expect(localEnd?.type === "end" && localEnd.modelUsed).toBe("vault-responder");
    const sources = localEnd?.type === "end" ? (localEnd.sources ?? []) : [];
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((s) => s.supported)).toBe(true);
  });
});

describe("why this answer (the Details panel)", () => {
  it("lists the retrieval hits with their scores, the decision and its reason, phase timings, the hold and what was settled", async () => {
    const { db, owner, project, chat } = await setup();
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "How does compost help soil structure?", tier: "cloud", model: "claude-haiku-5-5" });
    const details = await getAnswerDetails(db, { projectId: project.id, messageId: turn.assistantMessageId });
    expect(details.message).toMatchObject({ tier: "cloud", model: "claude-haiku-5-5", status: "complete" });
    expect(details.retrieval?.hits.length).toBeGreaterThan(0);
    expect(details.retrieval?.hits[0]).toMatchObject({ number: 1, sourceTitle: "Soil notes", snippet: expect.stringContaining("compost") });
    expect(details.retrieval?.hits[0]?.relevance).toBeGreaterThan(0);
    expect(details.decisions).toEqual([expect.objectContaining({ decision: "cloud", reason: "requested", requested: "cloud" })]);
    expect(details.timing?.phases.map((p) => p.phase)).toEqual(["analyzing", "retrieving", "generating", "verifying"]);
    expect(details.timing?.ttftMs).not.toBeNull();
    expect(details.verification).toEqual({ checked: 1, unsupported: [] });
    const [hold] = await db.select().from(reservations).where(eq(reservations.streamId, turn.stream.id));
    expect(details.hold).toMatchObject({ amountMicros: hold?.amountMicros, status: "settled", model: "claude-haiku-5-5", boundTokensOut: 2048 });
    expect(details.settled?.netChargeMicros).toBe(details.message.costMicros);
    expect(details.message.costMicros).toBeLessThan(hold?.amountMicros ?? 0n);
  });

  it("an answer of another project, or a question, is not found", async () => {
    const { db, owner, chat } = await setup();
    const other = await setup();
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Soil?", tier: "local" });
    await expect(getAnswerDetails(db, { projectId: other.project.id, messageId: turn.assistantMessageId })).rejects.toMatchObject({ code: "not_found:message" });
    await expect(getAnswerDetails(db, { projectId: other.project.id, messageId: turn.userMessageId })).rejects.toMatchObject({ code: "not_found:message" });
  });
});
