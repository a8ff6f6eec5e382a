import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { messages, requestLogs } from "@/db/schema";
import { createAgent } from "@/server/agents/agents";
import { createChat } from "@/server/chat/chats";
import { runTurn } from "@/testing/chat-turns";
import { chatEnvironment } from "@/testing/chat-environment";
import { makeProject } from "@/testing/fixtures";
import { listRequestLogs, pruneRequestLogs, requestLogsCsv, setRequestLogRetention } from "./logs";

const env = chatEnvironment();

describe("the owner's request log", () => {
  it("lists every upstream call with its member, agent, model, status, timings, tokens, cost and error — not the vault responder", async () => {
    const db = env.database.db;
    const { owner, project, members } = await makeProject(db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("no editor");
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const agent = await createAgent(db, { projectId: project.id, by: owner.id, input: { name: "Logger", instructions: "", defaultTier: "cloud", defaultModel: "claude-haiku-5-5", temperature: null, maxTokens: null, scope: "vault", sourceIds: [] } });
    const a = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "First", agentId: agent.id });
    const b = await runTurn(db, editor.id, { chatId: chat.id, parentId: a.assistantMessageId, content: "Second [[error]]", tier: "cloud", model: "claude-opus-5-5" });
    await runTurn(db, owner.id, { chatId: chat.id, parentId: b.assistantMessageId, content: "Third", tier: "local" });

    const rows = await listRequestLogs(db, { projectId: project.id, filter: {} });
    expect(rows).toHaveLength(2);
    const [failed, first] = rows;
    const [message] = await db.select().from(messages).where(eq(messages.id, a.assistantMessageId));
    expect(first).toMatchObject({ actorId: owner.id, agentName: "Logger", provider: "anthropic", model: "claude-haiku-5-5", tier: "cloud", status: "complete", costMicros: message?.costMicros, tokensIn: message?.tokensIn });
    expect(first?.ttftMs).not.toBeNull();
    expect(failed).toMatchObject({ actorId: editor.id, model: "claude-opus-5-5", status: "error", error: expect.stringContaining("overloaded") });

    expect(await listRequestLogs(db, { projectId: project.id, filter: { memberId: editor.id } })).toHaveLength(1);
    expect(await listRequestLogs(db, { projectId: project.id, filter: { model: "claude-haiku-5-5", status: "complete" } })).toHaveLength(1);
    expect(await listRequestLogs(db, { projectId: project.id, filter: { from: new Date(Date.now() + 60_000) } })).toHaveLength(0);
    await expect(listRequestLogs(db, { projectId: project.id, filter: { from: new Date(), to: new Date(Date.now() - 1) } })).rejects.toMatchObject({ code: "bad_request:filter" });

    const csv = await requestLogsCsv(db, { projectId: project.id, filter: {} });
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("time,member,chat,agent,provider,model,tier,status,ttft_ms,latency_ms,tokens_in,tokens_out,cost_usd,error");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(",Logger,anthropic,claude-haiku-5-5,cloud,complete,");
    expect(lines[2]).toMatch(/,0\.\d{6},$/);

    // Another project's log is its own.
    const other = await makeProject(db);
    expect(await listRequestLogs(db, { projectId: other.project.id, filter: {} })).toHaveLength(0);
  });

  it("keeps calls for the project's retention period; a period out of range is refused and changes nothing", async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Keep?", tier: "cloud" });
    await expect(setRequestLogRetention(db, { projectId: project.id, days: 0 })).rejects.toMatchObject({ code: "bad_request:retention" });
    await expect(setRequestLogRetention(db, { projectId: project.id, days: 9999 })).rejects.toMatchObject({ code: "bad_request:retention" });
    await setRequestLogRetention(db, { projectId: project.id, days: 7 });
    await pruneRequestLogs(db, new Date(Date.now() + 6 * 86_400_000));
    expect(await db.$count(requestLogs, eq(requestLogs.projectId, project.id))).toBe(1);
    await pruneRequestLogs(db, new Date(Date.now() + 8 * 86_400_000));
    expect(await db.$count(requestLogs, eq(requestLogs.projectId, project.id))).toBe(0);
  });
});
