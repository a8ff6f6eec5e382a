import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { messages, requestLogs } from "@/db/schema";
import { createAgent } from "@/server/agents/agents";
import { createChat } from "@/server/chat/chats";
import { runTurn } from "@/testing/chat-turns";
import { chatEnvironment } from "@/testing/chat-environment";
import { makeProject } from "@/testing/fixtures";
import { projectMembers } from "@/db/schema";
import { and } from "drizzle-orm";
import { listRequestLogs, pruneRequestLogs, requestLogEntry, requestLogMembers, requestLogsCsv, setRequestLogBodies, setRequestLogRetention } from "./logs";
import { REDACTED, redactText, redactValue } from "./redact";

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

  it("keeps no bodies by default; once the owner turns it on, each call keeps its request and answer, redacted, shown for that project only, pruned with the row", async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const first = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Nothing kept", tier: "cloud" });
    const [plain] = await listRequestLogs(db, { projectId: project.id, filter: {} });
    expect(plain?.hasBodies).toBe(false);
    const [plainRow] = await db.select().from(requestLogs).where(eq(requestLogs.projectId, project.id));
    expect(plainRow).toMatchObject({ requestBody: null, responseBody: null });

    await setRequestLogBodies(db, { projectId: project.id, enabled: true });
    const leaked = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx";
    const second = await runTurn(db, owner.id, { chatId: chat.id, parentId: first.assistantMessageId, content: `Why does my key ${leaked} fail? Authorization: Bearer abcdefghijkl1234`, tier: "cloud" });
    const sent = env.fake.requests.at(-1);
    expect(JSON.stringify(sent?.body)).toContain(leaked);
    const [kept] = await listRequestLogs(db, { projectId: project.id, filter: {} });
    expect(kept?.hasBodies).toBe(true);
    if (!kept) throw new Error("no row");
    const entry = await requestLogEntry(db, { projectId: project.id, id: kept.id });
    const body = JSON.parse(entry.requestBody ?? "null");
    expect(body).toMatchObject({ model: sent?.body.model, max_tokens: sent?.body.max_tokens, system: sent?.body.system });
    expect(body.messages.at(-1).content).toContain("Why does my key");
    expect(entry.requestBody).not.toContain(leaked);
    expect(entry.requestBody).not.toContain("abcdefghijkl1234");
    expect(entry.requestBody).not.toContain("test-key");
    expect(entry.requestBody).toContain(REDACTED);
    const [answer] = await db.select().from(messages).where(eq(messages.id, second.assistantMessageId));
    // The fake echoes the question, key and all: the kept answer is scrubbed the same way.
    expect(answer?.content).toContain(leaked);
    expect(entry.responseBody).toBe(answer?.content.replace(leaked, REDACTED));

    // Another project's owner cannot read it through their own project.
    const other = await makeProject(db);
    await expect(requestLogEntry(db, { projectId: other.project.id, id: kept.id })).rejects.toMatchObject({ code: "not_found:request_log" });

    // Off again: the next call keeps nothing; the one kept stays until retention takes it with its row.
    await setRequestLogBodies(db, { projectId: project.id, enabled: false });
    await runTurn(db, owner.id, { chatId: chat.id, parentId: second.assistantMessageId, content: "Off again", tier: "cloud" });
    const rows = await db.select().from(requestLogs).where(eq(requestLogs.projectId, project.id));
    expect(rows.filter((r) => r.requestBody !== null)).toHaveLength(1);
    await setRequestLogRetention(db, { projectId: project.id, days: 1 });
    await pruneRequestLogs(db, new Date(Date.now() + 2 * 86_400_000));
    expect(await db.$count(requestLogs, eq(requestLogs.projectId, project.id))).toBe(0);
  });

  it("offers today's members and former members still in the log for the member filter", async () => {
    const db = env.database.db;
    const { owner, project, members } = await makeProject(db, ["editor", "viewer"]);
    const editor = members.editor;
    const viewer = members.viewer;
    if (!editor || !viewer) throw new Error("no members");
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    await runTurn(db, editor.id, { chatId: chat.id, parentId: null, content: "From the editor", tier: "cloud" });
    await db.delete(projectMembers).where(and(eq(projectMembers.projectId, project.id), eq(projectMembers.userId, editor.id)));
    const choices = await requestLogMembers(db, { projectId: project.id });
    expect(choices.map((c) => c.id).sort()).toEqual([owner.id, editor.id, viewer.id].sort());
    expect(choices.find((c) => c.id === editor.id)?.current).toBe(false);
    expect(choices.find((c) => c.id === viewer.id)?.current).toBe(true);
    expect((await listRequestLogs(db, { projectId: project.id, filter: { memberId: editor.id } })).map((r) => r.actorId)).toEqual([editor.id]);
    expect(await listRequestLogs(db, { projectId: project.id, filter: { memberId: viewer.id } })).toHaveLength(0);
  });
});

describe("redacting a stored body", () => {
  it("empties credential fields and replaces key-shaped text and the call's own secrets", () => {
    const out = redactValue(
      {
        headers: { Authorization: "Bearer abc.def.ghi-123456", "x-api-key": "anything" },
        api_key: "short",
        messages: [{ role: "user", content: "keys: sk-proj-ABCDEFGHIJKLMNOPQRST and arbor_pat_1234567890abcdef, password=hunter22, my-own-secret-value" }],
        max_tokens: 100,
      },
      ["my-own-secret-value"],
    ) as { headers: Record<string, string>; api_key: string; messages: Array<{ content: string }>; max_tokens: number };
    expect(out.headers).toEqual({ Authorization: REDACTED, "x-api-key": REDACTED });
    expect(out.api_key).toBe(REDACTED);
    expect(out.max_tokens).toBe(100);
    const text = out.messages[0]?.content ?? "";
    for (const secret of ["sk-proj-ABCDEFGHIJKLMNOPQRST", "arbor_pat_1234567890abcdef", "hunter22", "my-own-secret-value"]) expect(text).not.toContain(secret);
    expect(text).toContain("password=[redacted]");
    expect(redactText("Plain words about tokens and keys stay as they are.")).toBe("Plain words about tokens and keys stay as they are.");
  });
});
