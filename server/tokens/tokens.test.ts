import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { accessTokens, billingAccounts, chats, projectMembers, rateLimits, securityEvents } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { chatForPost, parseChatPost } from "@/server/chat/api-request";
import { createChat } from "@/server/chat/chats";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { newRequestId, useFakeAnthropic } from "@/testing/chat-turns";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { createProject } from "@/server/projects/service";
import { TOKEN_GUESS_RULE } from "@/server/security/rate-limit";
import { makeProject, makeUser } from "@/testing/fixtures";
import { authenticateAccessToken, TOKEN_REQUEST_RULE } from "./authenticate";
import { bearerKind, newBearerToken } from "./bearer-tokens";
import { createAccessToken, listAccessTokens, revokeAccessToken } from "./personal-tokens";
import { identifyRequest } from "./request-identity";

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

let ipCounter = 0;
/** Each case calls from its own address, so the per-address guess limit of one case never leaks into another. */
const freshIp = () => `10.20.${Math.floor(ipCounter / 250)}.${ipCounter++ % 250}`;
const noSession = async () => null;
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}`, "x-forwarded-for": freshIp() });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return "ok";
}

describe("personal access tokens", () => {
  it("is shown once with a recognisable prefix and stored only as its hash", async () => {
    const user = await makeUser(database.db);
    const made = await createAccessToken(database.db, { userId: user.id, name: "CI", scopes: ["chat", "read"], expiresInDays: 30 });
    expect(made.token).toMatch(/^arbor_pat_[0-9A-Za-z]{40}$/);
    expect(made.token.startsWith(made.prefix)).toBe(true);
    expect(bearerKind(made.token)).toBe("personal");
    const rows = await database.db.select().from(accessTokens).where(eq(accessTokens.userId, user.id));
    expect(JSON.stringify(rows)).not.toContain(made.token.slice(made.prefix.length));
    const listed = await listAccessTokens(database.db, { userId: user.id });
    expect(listed).toEqual([expect.objectContaining({ name: "CI", prefix: made.prefix, scopes: ["chat", "read"], state: "active", lastUsedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    const days = ((listed[0]?.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    const events = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, user.id));
    expect(events.map((e) => e.kind)).toContain("access_token_created");
  });

  it("refuses bad creation input: no scope, an out-of-range expiry, a project the person is not in", async () => {
    const user = await makeUser(database.db);
    const other = await makeProject(database.db);
    expect(await codeOf(createAccessToken(database.db, { userId: user.id, name: "x", scopes: [] }))).toBe("bad_request:scopes");
    expect(await codeOf(createAccessToken(database.db, { userId: user.id, name: "x", scopes: ["read"], expiresInDays: 0 }))).toBe("bad_request:expiry");
    expect(await codeOf(createAccessToken(database.db, { userId: user.id, name: "x", scopes: ["read"], expiresInDays: 9999 }))).toBe("bad_request:expiry");
    expect(await codeOf(createAccessToken(database.db, { userId: user.id, name: "x", scopes: ["read"], projectId: other.project.id }))).toBe("not_found:project");
    expect(await database.db.$count(accessTokens, eq(accessTokens.userId, user.id))).toBe(0);
  });

  it("authenticates as its owner, stamps last use with the address, and checks the scope", async () => {
    const user = await makeUser(database.db);
    const reader = await createAccessToken(database.db, { userId: user.id, name: "reader", scopes: ["read"] });
    const chatter = await createAccessToken(database.db, { userId: user.id, name: "chatter", scopes: ["chat"] });
    const headers = bearer(reader.token);
    const who = await identifyRequest(database.db, { headers, scope: "read", session: noSession });
    expect(who).toMatchObject({ via: "token", userId: user.id, tokenId: reader.id, projectId: null });
    const [row] = await database.db.select().from(accessTokens).where(eq(accessTokens.id, reader.id));
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
    expect(row?.lastUsedIp).toBe(headers.get("x-forwarded-for"));
    expect(await codeOf(identifyRequest(database.db, { headers: bearer(reader.token), scope: "chat", session: noSession }))).toBe("forbidden:scope");
    expect(await codeOf(identifyRequest(database.db, { headers: bearer(reader.token), scope: "devices", session: noSession }))).toBe("forbidden:scope");
    // chat includes reading
    expect(await codeOf(identifyRequest(database.db, { headers: bearer(chatter.token), scope: "read", session: noSession }))).toBe("ok");
  });

  it("a Bearer header is the only credential considered: a cookie session alongside it does not rescue a bad token", async () => {
    const user = await makeUser(database.db);
    const session = async () => ({ id: user.id, email: user.email, name: null });
    expect(await codeOf(identifyRequest(database.db, { headers: bearer("arbor_pat_nope"), scope: "read", session }))).toBe("unauthorized:token");
    expect(await codeOf(identifyRequest(database.db, { headers: new Headers({ authorization: "Bearer" }), scope: "read", session }))).toBe("unauthorized:token");
    expect(await identifyRequest(database.db, { headers: new Headers(), scope: "chat", session })).toMatchObject({ via: "session", userId: user.id });
    expect(await codeOf(identifyRequest(database.db, { headers: new Headers(), scope: "chat", session: noSession }))).toBe("unauthorized:session");
  });

  it("refuses unknown, revoked and expired tokens with clear 401s; a refused token is logged for its owner once an hour", async () => {
    const user = await makeUser(database.db);
    const made = await createAccessToken(database.db, { userId: user.id, name: "old script", scopes: ["chat"] });
    const unknown = newBearerToken("personal").token;
    expect(await codeOf(authenticateAccessToken(database.db, { token: unknown, ip: freshIp(), scope: "read" }))).toBe("unauthorized:token");
    // a device token is no personal token
    expect(await codeOf(authenticateAccessToken(database.db, { token: newBearerToken("device").token, ip: freshIp(), scope: "read" }))).toBe("unauthorized:token");

    await revokeAccessToken(database.db, { userId: user.id, tokenId: made.id });
    await revokeAccessToken(database.db, { userId: user.id, tokenId: made.id });
    expect(await codeOf(authenticateAccessToken(database.db, { token: made.token, ip: freshIp(), scope: "read" }))).toBe("unauthorized:token_revoked");
    expect(await codeOf(authenticateAccessToken(database.db, { token: made.token, ip: freshIp(), scope: "read" }))).toBe("unauthorized:token_revoked");
    const refused = await database.db.select().from(securityEvents).where(eq(securityEvents.userId, user.id));
    expect(refused.filter((e) => e.kind === "access_token_refused")).toHaveLength(1);
    expect(refused.filter((e) => e.kind === "access_token_revoked")).toHaveLength(1);
    const [revoked] = await database.db.select().from(accessTokens).where(eq(accessTokens.id, made.id));
    expect(revoked?.lastUsedAt).toBeNull();

    const later = await createAccessToken(database.db, { userId: user.id, name: "short", scopes: ["read"], expiresInDays: 1 });
    await database.db.update(accessTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(accessTokens.id, later.id));
    expect(await codeOf(authenticateAccessToken(database.db, { token: later.token, ip: freshIp(), scope: "read" }))).toBe("unauthorized:token_expired");
    expect((await listAccessTokens(database.db, { userId: user.id })).map((t) => t.state).sort()).toEqual(["expired", "revoked"]);
  });

  it("only its owner can revoke a token; another person's is not found", async () => {
    const [alice, mallory] = [await makeUser(database.db), await makeUser(database.db)];
    const made = await createAccessToken(database.db, { userId: alice.id, name: "mine", scopes: ["read"] });
    expect(await codeOf(revokeAccessToken(database.db, { userId: mallory.id, tokenId: made.id }))).toBe("not_found:token");
    expect(await codeOf(authenticateAccessToken(database.db, { token: made.token, ip: freshIp(), scope: "read" }))).toBe("ok");
  });

  it("rate limits per token, and guesses per address", async () => {
    const user = await makeUser(database.db);
    const made = await createAccessToken(database.db, { userId: user.id, name: "busy", scopes: ["read"] });
    await database.db.insert(rateLimits).values({ key: `token:${made.id}`, windowStart: new Date(), count: TOKEN_REQUEST_RULE.limit - 1 });
    expect(await codeOf(authenticateAccessToken(database.db, { token: made.token, ip: freshIp(), scope: "read" }))).toBe("ok");
    expect(await codeOf(authenticateAccessToken(database.db, { token: made.token, ip: freshIp(), scope: "read" }))).toBe("rate_limited:token");

    const guesser = freshIp();
    for (let i = 0; i < TOKEN_GUESS_RULE.limit; i++) {
      expect(await codeOf(authenticateAccessToken(database.db, { token: newBearerToken("personal").token, ip: guesser, scope: "read" }))).toBe("unauthorized:token");
    }
    // over the limit even a real token is refused from that address: a guesser cannot tell a hit from a miss
    const good = await createAccessToken(database.db, { userId: user.id, name: "good", scopes: ["read"] });
    expect(await codeOf(authenticateAccessToken(database.db, { token: good.token, ip: guesser, scope: "read" }))).toBe("rate_limited:token");
    expect(await codeOf(authenticateAccessToken(database.db, { token: good.token, ip: freshIp(), scope: "read" }))).toBe("ok");
  });
});

describe("a token on POST /api/chat gets the same role and budget checks as a browser session", () => {
  it("never outranks its owner: a viewer's chat token cannot start an answer", async () => {
    const { owner, project, members } = await makeProject(database.db, ["viewer"]);
    const viewer = members.viewer;
    if (!viewer) throw new Error("fixture");
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    const made = await createAccessToken(database.db, { userId: viewer.id, name: "viewer", scopes: ["chat"] });
    const who = await identifyRequest(database.db, { headers: bearer(made.token), scope: "chat", session: noSession });
    const post = parseChatPost({ requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Hello", tier: "local" });
    const chatId = await chatForPost(database.db, { who, post });
    expect(await codeOf(startChatTurn(database.db, { userId: who.userId, request: { ...post.request, chatId } }))).toBe("forbidden:project");
    // the same person may still start a new chat only where they are an editor
    const fresh = parseChatPost({ requestId: newRequestId(), projectId: project.id, parentId: null, content: "Hi", tier: "local" });
    expect(await codeOf(chatForPost(database.db, { who, post: fresh }))).toBe("forbidden:project");
  });

  it("is held to the member's quota like the browser", async () => {
    const { owner, project, members } = await makeProject(database.db, ["editor"]);
    const editor = members.editor;
    if (!editor) throw new Error("fixture");
    await ensureBillingAccount(database.db, owner.id);
    await database.db.update(billingAccounts).set({ tier: "managed" }).where(eq(billingAccounts.userId, owner.id));
    await database.db.update(projectMembers).set({ quotaMicros: 1n }).where(eq(projectMembers.userId, editor.id));
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    const made = await createAccessToken(database.db, { userId: editor.id, name: "editor", scopes: ["chat"] });
    const who = await identifyRequest(database.db, { headers: bearer(made.token), scope: "chat", session: noSession });
    const request = { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Expensive question", tier: "cloud" as const };
    expect(await codeOf(startChatTurn(database.db, { userId: who.userId, request }))).toBe("quota_exceeded:member");
  });

  it("a project-restricted token reaches its project only", async () => {
    const user = await makeUser(database.db);
    const [mine, other] = [
      await createProject(database.db, { ownerId: user.id, title: "Allowed" }),
      await createProject(database.db, { ownerId: user.id, title: "Other" }),
    ];
    const otherChat = await createChat(database.db, { projectId: other.id, by: user.id });
    const made = await createAccessToken(database.db, { userId: user.id, name: "one project", scopes: ["chat"], projectId: mine.id });
    const who = await identifyRequest(database.db, { headers: bearer(made.token), scope: "chat", session: noSession });
    const toOther = parseChatPost({ requestId: newRequestId(), chatId: otherChat.id, parentId: null, content: "Hi", tier: "local" });
    expect(await codeOf(chatForPost(database.db, { who, post: toOther }))).toBe("forbidden:token_project");
    const newInOther = parseChatPost({ requestId: newRequestId(), projectId: other.id, parentId: null, content: "Hi", tier: "local" });
    expect(await codeOf(chatForPost(database.db, { who, post: newInOther }))).toBe("forbidden:token_project");
    expect(await database.db.$count(chats, eq(chats.projectId, other.id))).toBe(1);

    // a new chat in its own project, once per requestId however often it is retried
    const requestId = newRequestId();
    const post = parseChatPost({ requestId, projectId: mine.id, parentId: null, content: "First question", tier: "local" });
    const chatId = await chatForPost(database.db, { who, post });
    const turn = await startChatTurn(database.db, { userId: who.userId, request: { ...post.request, chatId } });
    await answerFinished(turn.stream.id);
    expect(await chatForPost(database.db, { who, post })).toBe(chatId);
    expect(await database.db.$count(chats, eq(chats.projectId, mine.id))).toBe(1);
  });

  it("takes the chat's project when a body names both (the browser sends both), and refuses one that names neither", () => {
    const chatId = "11111111-1111-4111-8111-111111111111";
    const both = parseChatPost({ requestId: newRequestId(), chatId, projectId: "22222222-2222-4222-8222-222222222222", content: "Hi" });
    expect(both.request.chatId).toBe(chatId);
    expect(both.projectId).toBeUndefined();
    expect(() => parseChatPost({ requestId: newRequestId(), content: "Hi" })).toThrow(/chatId/);
    expect(() => parseChatPost({ requestId: newRequestId(), projectId: "nope", content: "Hi" })).toThrow(/projectId/);
  });
});
