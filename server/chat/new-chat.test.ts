import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { activityEvents, adapters, branches, chats, messages, modelPrices, projectMembers } from "@/db/schema";
import { archiveAgent, createAgent } from "@/server/agents/agents";
import { chatForPost, parseChatPost } from "@/server/chat/api-request";
import { createChatWithChoice } from "@/server/chat/model-choice";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { chatEnvironment } from "@/testing/chat-environment";
import { ledgerEvents, newRequestId, textOf } from "@/testing/chat-turns";
import { makeProject, makeUser } from "@/testing/fixtures";
import type { SessionIdentity } from "@/server/tokens/request-identity";

const env = chatEnvironment();
const session = (user: { id: string; email: string }): SessionIdentity => ({ via: "session", userId: user.id, email: user.email, name: null });

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** The whole POST /api/chat path as the Route Handler runs it (after sign-in): body → chat → turn. */
async function post(who: SessionIdentity, body: Record<string, unknown>) {
  const parsed = parseChatPost(body);
  const chatId = await chatForPost(env.database.db, { who, post: parsed });
  const turn = await startChatTurn(env.database.db, { userId: who.userId, request: { ...parsed.request, chatId } });
  await answerFinished(turn.stream.id);
  return { chatId, turn };
}

const chatsOf = (projectId: string) => env.database.db.$count(chats, eq(chats.projectId, projectId));

describe("POST /api/chat without a chatId makes the chat in the same request", () => {
  it("one request: the chat with its Main branch, the activity entry, the question and its answer; a retry makes no second chat", async () => {
    const db = env.database.db;
    const { project, members } = await makeProject(db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("fixture");
    const requestId = newRequestId();
    const body = { requestId, projectId: project.id, parentId: null, content: "What is in the vault?", tier: "local" };
    const { chatId, turn } = await post(session(editor), body);

    const [chat] = await db.select().from(chats).where(eq(chats.id, chatId));
    expect(chat).toMatchObject({ projectId: project.id, createdBy: editor.id, modelChoice: "local", agentId: null });
    expect(await db.$count(branches, and(eq(branches.chatId, chatId), eq(branches.title, "Main")))).toBe(1);
    expect(await db.$count(activityEvents, and(eq(activityEvents.verb, "created_chat"), eq(activityEvents.targetId, chatId)))).toBe(1);
    const [member] = await db.select({ at: projectMembers.lastActiveAt }).from(projectMembers).where(eq(projectMembers.userId, editor.id));
    expect(member?.at).not.toBeNull();
    const events = await ledgerEvents(db, turn.stream.id);
    expect(events.at(-1)?.event.type).toBe("end");
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(await db.$count(messages, eq(messages.chatId, chatId))).toBe(2);

    // the browser retries a POST whose response it never saw: same chat, same stream, nothing new
    const again = await post(session(editor), body);
    expect(again.chatId).toBe(chatId);
    expect(again.turn.stream.id).toBe(turn.stream.id);
    expect(await chatsOf(project.id)).toBe(1);
    expect(await db.$count(messages, eq(messages.chatId, chatId))).toBe(2);
  });

  it("remembers the turn's cloud model and agent on the chat, as chat.create remembers the picker's", async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    const [price] = await db.select({ model: modelPrices.model }).from(modelPrices).where(eq(modelPrices.deprecated, 0)).limit(1);
    if (!price) throw new Error("no model prices");
    const agent = await createAgent(db, {
      projectId: project.id,
      by: owner.id,
      input: { name: "Helper", instructions: "Be brief.", defaultTier: "local", defaultModel: null, temperature: null, maxTokens: null, scope: "vault", sourceIds: [] },
    });
    const parsed = parseChatPost({ requestId: newRequestId(), projectId: project.id, content: "Hi", tier: "cloud", model: price.model, agentId: agent.id });
    const chatId = await chatForPost(db, { who: session(owner), post: parsed });
    const [chat] = await db.select().from(chats).where(eq(chats.id, chatId));
    expect(chat).toMatchObject({ modelChoice: `cloud:${price.model}`, agentId: agent.id });
    // and the tRPC path still makes the same chat
    const viaTrpc = await createChatWithChoice(db, { projectId: project.id, by: owner.id, choice: { tier: "cloud", model: price.model }, agentId: agent.id });
    expect(viaTrpc).toMatchObject({ modelChoice: `cloud:${price.model}`, agentId: agent.id });
  });

  it("the same refusals as chat.create, before anything is written", async () => {
    const db = env.database.db;
    const { owner, project, members } = await makeProject(db, ["viewer", "commenter"]);
    const outsider = await makeUser(db);
    const body = () => ({ requestId: newRequestId(), projectId: project.id, content: "Hi", tier: "local" });
    const make = (who: { id: string; email: string }, b: Record<string, unknown>) => chatForPost(db, { who: session(who), post: parseChatPost(b) });
    const viewer = members.viewer;
    const commenter = members.commenter;
    if (!viewer || !commenter) throw new Error("fixture");
    expect(await codeOf(make(viewer, body()))).toBe("forbidden:project");
    expect(await codeOf(make(commenter, body()))).toBe("forbidden:project");
    expect(await codeOf(make(outsider, body()))).toBe("not_found:project");
    expect(await codeOf(make(owner, { ...body(), tier: "cloud", model: "no-such-model" }))).toBe("not_found:model");
    const [retired] = await db.select({ model: modelPrices.model }).from(modelPrices).limit(1);
    if (!retired) throw new Error("no model prices");
    await db.update(modelPrices).set({ deprecated: 1 }).where(eq(modelPrices.model, retired.model));
    expect(await codeOf(make(owner, { ...body(), tier: "cloud", model: retired.model }))).toBe("bad_request:model");
    await db.update(modelPrices).set({ deprecated: 0 }).where(eq(modelPrices.model, retired.model));
    const agent = await createAgent(db, {
      projectId: project.id,
      by: owner.id,
      input: { name: "Old", instructions: "x", defaultTier: "local", defaultModel: null, temperature: null, maxTokens: null, scope: "vault", sourceIds: [] },
    });
    await archiveAgent(db, { projectId: project.id, agentId: agent.id, by: owner.id });
    expect(await codeOf(make(owner, { ...body(), agentId: agent.id }))).toBe("bad_request:agent");
    expect(await chatsOf(project.id)).toBe(0);
    // a viewer's activity does not count as a new chat's
    expect(await db.$count(activityEvents, and(eq(activityEvents.projectId, project.id), eq(activityEvents.verb, "created_chat")))).toBe(0);
  });

  it("an adapter chosen before the first message becomes the new chat's; only a ready one of the same project", async () => {
    const db = env.database.db;
    const { project, owner } = await makeProject(db);
    const other = await makeProject(db);
    const adapter = async (projectId: string, uploadedBy: string, status: "ready" | "processing", hex: string) => {
      const [row] = await db
        .insert(adapters)
        .values({ projectId, uploadedBy, name: `LoRA ${hex}`, fileName: "a.safetensors", baseModel: "base", servedName: `lora-${hex}`, sizeBytes: 100, sha256: hex.repeat(64), status })
        .returning();
      if (!row) throw new Error("fixture");
      return row;
    };
    const ready = await adapter(project.id, owner.id, "ready", "a");
    const processing = await adapter(project.id, owner.id, "processing", "b");
    const elsewhere = await adapter(other.project.id, other.owner.id, "ready", "c");
    const body = (adapterId: string) => ({ requestId: newRequestId(), projectId: project.id, parentId: null, content: "Hello", tier: "local", adapterId });

    const { chatId } = await post(session(owner), body(ready.id));
    const [chat] = await db.select().from(chats).where(eq(chats.id, chatId));
    expect(chat?.adapterId).toBe(ready.id);

    expect(await codeOf(post(session(owner), body(processing.id)))).toBe("conflict:adapter_not_ready");
    expect(await codeOf(post(session(owner), body(elsewhere.id)))).toBe("not_found:adapter");
    // someone outside the project who knows an adapter's id learns nothing of it (not its name, not its state)
    const outsider = await makeUser(db);
    expect(await codeOf(post(session(outsider), body(processing.id)))).toBe("not_found:project");
    expect(await codeOf(post(session(outsider), body(ready.id)))).toBe("not_found:project");
    expect(await chatsOf(project.id)).toBe(1);
  });
});
