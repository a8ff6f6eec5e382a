import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingAccounts, billingIncidents, customProviderModels, customProviders, memberSpend, messages, projects, requestLogs, reservations, usageEvents } from "@/db/schema";
import { decryptSecret } from "@/server/billing/provider-keys";
import { createChat } from "@/server/chat/chats";
import { listModelChoices, setChatModelChoice } from "@/server/chat/model-choice";
import { resetEnvForTests } from "@/server/env";
import { chatEnvironment } from "@/testing/chat-environment";
import { runTurn, textOf } from "@/testing/chat-turns";
import { type FakeLocalModel, startFakeLocalModel } from "@/testing/fakes/local-model";
import { makeProject } from "@/testing/fixtures";
import { vetProviderUrl } from "./address";
import { providerModelKey } from "./models";
import { addProvider, listProviders, refreshProviderModels, removeProvider, setLocalTierProvider, setProviderPrices } from "./providers";

const env = chatEnvironment();
const KEY = "sk-provider-secret-key-0123456789";
let fake: FakeLocalModel;
let wrongProtocol: Server;
let wrongProtocolUrl: string;

beforeAll(async () => {
  fake = await startFakeLocalModel(0, "127.0.0.1", { apiKey: KEY });
  wrongProtocol = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html><body>Welcome to nginx!</body></html>");
  });
  await new Promise<void>((resolve) => wrongProtocol.listen(0, "127.0.0.1", () => resolve()));
  const port = (wrongProtocol.address() as AddressInfo).port;
  wrongProtocolUrl = `http://127.0.0.1:${port}/v1`;
  // The operator allows exactly these two in-house servers; every other loopback address stays refused.
  process.env.ARBOR_PROVIDER_ALLOWED_HOSTS = `127.0.0.1:${fake.port}, 127.0.0.1:${port}`;
  resetEnvForTests();
});
afterAll(async () => {
  delete process.env.ARBOR_PROVIDER_ALLOWED_HOSTS;
  resetEnvForTests();
  await fake?.close();
  await new Promise((resolve) => wrongProtocol?.close(resolve));
});

async function ownerWithProvider(prices = true) {
  const db = env.database.db;
  const { owner, project, members } = await makeProject(db, ["editor"]);
  const provider = await addProvider(db, { projectId: project.id, by: owner.id, input: { name: "House GPU", baseUrl: `${fake.url}/`, apiKey: KEY } });
  const large = provider.models.find((m) => m.model === "fake-large");
  if (!large) throw new Error("fake-large not discovered");
  if (prices) {
    // $3 / $15 per million tokens: nothing like Claude's prices, so a charge at the wrong price shows
    await setProviderPrices(db, { projectId: project.id, providerId: provider.id, prices: [{ modelId: large.id, inputMicrosPerMTok: 3_000_000, outputMicrosPerMTok: 15_000_000 }] });
  }
  return { db, owner, project, editor: members.editor, provider, large, key: providerModelKey(large.id) };
}

describe("adding a provider", () => {
  it("discovers its models, keeps the key only as AES-256-GCM ciphertext, and shows a masked hint", async () => {
    const { db, project, provider } = await ownerWithProvider(false);
    expect(provider.models.map((m) => m.model)).toEqual(["fake-large", "fake-small"]);
    expect(provider.baseUrl).toBe(fake.url);
    expect(provider.keyHint).toBe("sk-…6789");
    expect(fake.authorizations.at(-1)).toBe(`Bearer ${KEY}`);
    const [row] = await db.select().from(customProviders).where(eq(customProviders.id, provider.id));
    expect(row?.keyCiphertext).toMatch(/^v1:/);
    expect(row?.keyCiphertext).not.toContain(KEY);
    expect(decryptSecret(row?.keyCiphertext ?? "")).toBe(KEY);
    const listed = await listProviders(db, project.id);
    const shown = JSON.stringify(listed, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(row?.keyCiphertext ?? "never");
    expect(listed[0]?.models.every((m) => m.inputMicrosPerMTok === null)).toBe(true);
  });

  it("refuses private and loopback addresses the operator did not allow, before anything is asked or written", async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    const before = fake.authorizations.length;
    const other = fake.port === 65_000 ? 65_001 : 65_000;
    for (const [baseUrl, words] of [
      [`http://127.0.0.1:${other}/v1`, /loopback address/],
      ["http://10.1.2.3/v1", /private address/],
      ["http://169.254.169.254/latest", /link-local/],
      ["http://[::ffff:127.0.0.1]:8000/v1", /loopback/],
      ["ftp://models.example.com/v1", /Only http and https/],
      ["http://user:pw@models.example.com/v1", /user name or password/],
    ] as const) {
      await expect(addProvider(db, { projectId: project.id, by: owner.id, input: { name: "Sneaky", baseUrl, apiKey: KEY } })).rejects.toMatchObject({
        code: "bad_request:provider_url",
        message: expect.stringMatching(words),
      });
    }
    await expect(vetProviderUrl("http://10.1.2.3/v1")).rejects.toThrow(/ARBOR_PROVIDER_ALLOWED_HOSTS/);
    expect(fake.authorizations.length).toBe(before);
    expect(await db.$count(customProviders, eq(customProviders.projectId, project.id))).toBe(0);
  });

  it("a wrong key, a server that does not speak the protocol, or nothing listening: clear words, nothing written", async () => {
    const db = env.database.db;
    const { owner, project } = await makeProject(db);
    await expect(addProvider(db, { projectId: project.id, by: owner.id, input: { name: "Wrong key", baseUrl: fake.url, apiKey: "sk-not-the-key-000000" } })).rejects.toMatchObject({
      code: "bad_request:provider_key",
      message: expect.stringMatching(/refused the key \(HTTP 401/),
    });
    await expect(addProvider(db, { projectId: project.id, by: owner.id, input: { name: "Web server", baseUrl: wrongProtocolUrl } })).rejects.toMatchObject({
      code: "bad_request:provider_protocol",
      message: expect.stringMatching(/does not speak the OpenAI-compatible protocol: its answer is not JSON/),
    });
    process.env.ARBOR_PROVIDER_ALLOWED_HOSTS = `${process.env.ARBOR_PROVIDER_ALLOWED_HOSTS},127.0.0.1:9`;
    resetEnvForTests();
    await expect(addProvider(db, { projectId: project.id, by: owner.id, input: { name: "Nobody home", baseUrl: "http://127.0.0.1:9/v1" } })).rejects.toMatchObject({
      code: "unavailable:provider",
      message: expect.stringMatching(/could not be reached/),
    });
    expect(await db.$count(customProviders, eq(customProviders.projectId, project.id))).toBe(0);
  });

  it("refreshing keeps the prices of models still listed; removing takes the models with it", async () => {
    const { db, project, provider, large } = await ownerWithProvider();
    const again = await refreshProviderModels(db, { projectId: project.id, providerId: provider.id });
    expect(again.models.find((m) => m.id === large.id)).toMatchObject({ inputMicrosPerMTok: 3_000_000n, outputMicrosPerMTok: 15_000_000n });
    await removeProvider(db, { projectId: project.id, providerId: provider.id });
    expect(await db.$count(customProviderModels, eq(customProviderModels.providerId, provider.id))).toBe(0);
    await expect(removeProvider(db, { projectId: project.id, providerId: provider.id })).rejects.toMatchObject({ code: "not_found:provider" });
  });
});

describe("the owner's prices", () => {
  it("refuses negative, fractional and absurd prices with words, all or nothing; the schema backs the rule", async () => {
    const { db, project, provider, large } = await ownerWithProvider(false);
    const small = provider.models.find((m) => m.model === "fake-small");
    if (!small) throw new Error("fake-small missing");
    const attempt = (input: number | string, output: number | string) =>
      setProviderPrices(db, {
        projectId: project.id,
        providerId: provider.id,
        prices: [
          { modelId: small.id, inputMicrosPerMTok: 1_000, outputMicrosPerMTok: 2_000 },
          { modelId: large.id, inputMicrosPerMTok: input, outputMicrosPerMTok: output },
        ],
      });
    await expect(attempt(-1, 10)).rejects.toMatchObject({ code: "bad_request:price", message: "The input price cannot be negative." });
    await expect(attempt(10, "1.5")).rejects.toMatchObject({ code: "bad_request:price", message: expect.stringMatching(/whole number of micro-USD/) });
    await expect(attempt(10, 5_000_000_000)).rejects.toMatchObject({ code: "bad_request:price", message: expect.stringMatching(/\$5,000\.00 per million tokens is more than the \$1,000\.00/) });
    const rows = await db.select().from(customProviderModels).where(eq(customProviderModels.providerId, provider.id));
    expect(rows.every((r) => r.inputMicrosPerMTok === null && r.outputMicrosPerMTok === null)).toBe(true);
    await expect(db.update(customProviderModels).set({ inputMicrosPerMTok: -5n, outputMicrosPerMTok: 1n }).where(eq(customProviderModels.id, large.id))).rejects.toThrow();
  });

  it("an unpriced model is not offered and cannot be chosen; another project's model is not found", async () => {
    const { db, owner, project, key } = await ownerWithProvider(false);
    const choices = await listModelChoices(db, project.id);
    expect(choices.cloud.some((c) => c.model === key)).toBe(false);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    await expect(setChatModelChoice(db, { projectId: project.id, chatId: chat.id, choice: { tier: "cloud", model: key } })).rejects.toMatchObject({
      code: "bad_request:model",
      message: expect.stringMatching(/has no price yet/),
    });
    const stranger = await makeProject(db);
    const theirs = await createChat(db, { projectId: stranger.project.id, by: stranger.owner.id });
    await expect(setChatModelChoice(db, { projectId: stranger.project.id, chatId: theirs.id, choice: { tier: "cloud", model: key } })).rejects.toMatchObject({ code: "not_found:model" });
  });
});

describe("answering with the project's own provider", () => {
  it("as a cloud model: held and charged at the owner's prices, on the member's quota, never billed by Arbor", async () => {
    const { db, owner, project, editor, key } = await ownerWithProvider();
    if (!editor) throw new Error("no editor");
    const choices = await listModelChoices(db, project.id);
    expect(choices.cloud.find((c) => c.model === key)).toMatchObject({ label: "House GPU · fake-large", inputMicrosPerMTok: 3_000_000n, provider: "House GPU" });
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const [before] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, owner.id));
    const turn = await runTurn(db, editor.id, { chatId: chat.id, parentId: null, content: "What is loam?", tier: "cloud", model: key });
    expect(textOf(turn.events)).toContain("Local model answer to: What is loam?");
    const sent = fake.requests.at(-1) as { model: string; max_tokens: number; stream: boolean };
    expect(sent).toMatchObject({ model: "fake-large", stream: true });
    expect(fake.authorizations.at(-1)).toBe(`Bearer ${KEY}`);

    const [hold] = await db.select().from(reservations).where(eq(reservations.projectId, project.id));
    expect(hold).toMatchObject({ keySource: "provider", model: key, inputMicrosPerMTok: 3_000_000n, outputMicrosPerMTok: 15_000_000n, status: "settled" });
    const [event] = await db.select().from(usageEvents).where(eq(usageEvents.projectId, project.id));
    if (!event || !hold) throw new Error("no usage event");
    const expected = (BigInt(event.tokensIn) * 3_000_000n + BigInt(event.tokensOut) * 15_000_000n + 999_999n) / 1_000_000n;
    expect(event).toMatchObject({ provider: "House GPU", model: "fake-large", tier: "cloud", costBasisMicros: expected, markupMicros: 0n, feeMicros: 0n, netChargeMicros: 0n });
    expect(expected).toBeGreaterThan(0n);
    expect(expected).toBeLessThanOrEqual(hold.amountMicros);
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ tier: "cloud", model: "fake-large", costMicros: expected, status: "complete" });
    const [spend] = await db.select().from(memberSpend).where(and(eq(memberSpend.projectId, project.id), eq(memberSpend.userId, editor.id)));
    expect(spend).toMatchObject({ spentMicros: expected, reservedMicros: 0n });
    const [after] = await db.select().from(billingAccounts).where(eq(billingAccounts.userId, owner.id));
    expect(after?.periodSpentMicros).toBe(before?.periodSpentMicros ?? 0n);
    expect(after?.reservedMicros).toBe(0n);
    const [log] = await db.select().from(requestLogs).where(eq(requestLogs.projectId, project.id));
    expect(log).toMatchObject({ provider: "House GPU", model: "fake-large", costMicros: expected, status: "complete" });
  });

  it("with no Anthropic key anywhere, a provider model as the project's default answers auto and cloud-policy turns", async () => {
    const { db, owner, project, key } = await ownerWithProvider();
    const platformKey = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    resetEnvForTests();
    try {
      for (const escalationPolicy of ["cloud", "auto"] as const) {
        await db
          .update(projects)
          .set({ settings: sql`${projects.settings} || ${JSON.stringify({ escalationPolicy, defaultCloudModel: key })}::jsonb` })
          .where(eq(projects.id, project.id));
        const chat = await createChat(db, { projectId: project.id, by: owner.id });
        const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: `Under ${escalationPolicy}: what is loam?`, tier: "auto" });
        expect(textOf(turn.events)).toContain(`Local model answer to: Under ${escalationPolicy}: what is loam?`);
        const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
        expect(answer, escalationPolicy).toMatchObject({ tier: "cloud", model: "fake-large", status: "complete" });
      }
    } finally {
      if (platformKey === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = platformKey;
      resetEnvForTests();
    }
  });

  it("an adversarial provider reporting a huge usage is charged no more than the hold", async () => {
    const { db, owner, project, key } = await ownerWithProvider();
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Bill me [[provider-overbill]]", tier: "cloud", model: key });
    const [hold] = await db.select().from(reservations).where(eq(reservations.projectId, project.id));
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    if (!hold || !answer) throw new Error("missing rows");
    expect(answer.tokensIn).toBe(hold.boundTokensIn);
    expect(answer.tokensOut).toBe(hold.boundTokensOut);
    expect(answer.costMicros).toBeLessThanOrEqual(hold.amountMicros);
    expect(await db.$count(billingIncidents, eq(billingIncidents.requestId, hold.requestId))).toBe(0);
  });

  it("a provider failing mid-stream: the answer is marked failed with words naming it, charged only what it wrote, the hold closed", async () => {
    const { db, owner, project, key } = await ownerWithProvider();
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Break [[provider-break]]", tier: "cloud", model: key });
    const error = turn.events.find(({ event }) => event.type === "error")?.event;
    expect(error).toMatchObject({ code: "provider:failed", message: expect.stringMatching(/^House GPU \(fake-large\) failed after it had started answering/) });
    const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
    expect(answer).toMatchObject({ status: "error", content: "Local model " });
    const [hold] = await db.select().from(reservations).where(eq(reservations.projectId, project.id));
    expect(hold?.status).toBe("settled");
    expect(answer?.costMicros).toBeLessThanOrEqual(hold?.amountMicros ?? 0n);
    const [spend] = await db.select().from(memberSpend).where(and(eq(memberSpend.projectId, project.id), eq(memberSpend.userId, owner.id)));
    expect(spend?.reservedMicros).toBe(0n);
  });

  it("as the project's local tier: answers local turns and meters them at the owner's prices", async () => {
    const { db, owner, project, large } = await ownerWithProvider();
    await setLocalTierProvider(db, { projectId: project.id, modelId: large.id });
    expect((await listModelChoices(db, project.id)).local.model).toBe("House GPU · fake-large");
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const turn = await runTurn(db, owner.id, { chatId: chat.id, parentId: null, content: "Local please", tier: "local" });
    expect(textOf(turn.events)).toContain("Local model answer to: Local please");
    const [event] = await db.select().from(usageEvents).where(eq(usageEvents.projectId, project.id));
    if (!event) throw new Error("no usage event");
    const expected = (BigInt(event.tokensIn) * 3_000_000n + BigInt(event.tokensOut) * 15_000_000n + 999_999n) / 1_000_000n;
    expect(event).toMatchObject({ tier: "local", provider: "House GPU", model: "fake-large", costBasisMicros: expected, netChargeMicros: 0n });
    expect(await db.$count(reservations, eq(reservations.projectId, project.id))).toBe(0);
    const small = (await listProviders(db, project.id))[0]?.models.find((m) => m.model === "fake-small");
    await expect(setLocalTierProvider(db, { projectId: project.id, modelId: small?.id ?? "" })).rejects.toMatchObject({ message: expect.stringMatching(/Enter a price for fake-small first/) });
    await setLocalTierProvider(db, { projectId: project.id, modelId: null });
    const count = await db.select({ n: sql<number>`count(*)::int` }).from(customProviders).where(and(eq(customProviders.projectId, project.id), sql`${customProviders.localModel} is not null`));
    expect(count[0]?.n).toBe(0);
  });
});
