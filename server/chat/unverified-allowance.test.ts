import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, DEFAULT_PROJECT_SETTINGS, messages, projects, reservations, users } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { makeProject } from "@/testing/fixtures";
import { newRequestId, useFakeAnthropic } from "@/testing/chat-turns";
import { createChat } from "./chats";
import { answerFinished } from "./stream/registry";
import { startChatTurn } from "./stream/start";

/**
 * Leak 8: the Free plan's allowance is spent on the platform key, so an
 * account whose email nobody verified (a scripted sign-up) gets no cloud
 * call from it; the refusal says why, and its code lets the chat offer a new
 * verification mail to the person who can act on it.
 */
let database: Database;
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await useFakeAnthropic({ usage: "adversarial" });
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(async () => {
  await database.close();
  await fake.close();
});

async function unverifiedOwnerProject() {
  const db = database.db;
  const { owner, project, members } = await makeProject(db, ["editor"]);
  await db.update(users).set({ emailVerified: null }).where(eq(users.id, owner.id));
  const chat = await createChat(db, { projectId: project.id, by: owner.id });
  return { owner, guest: members.editor ?? owner, project, chat };
}

const ask = (userId: string, chatId: string, tier: "cloud" | "auto" = "cloud") =>
  startChatTurn(database.db, { userId, request: { requestId: newRequestId(), chatId, parentId: null, content: "What is a hold?", tier, maxTokens: 64 } });

describe("no cloud allowance before the email is verified", () => {
  it("refuses the unverified Free owner's cloud turn before anything is held or sent, saying why", async () => {
    const { owner, chat } = await unverifiedOwnerProject();
    const calls = fake.requests.length;
    await expect(ask(owner.id, chat.id)).rejects.toMatchObject({
      code: "forbidden:email_unverified",
      message: expect.stringMatching(/^Cloud answers on the Free plan start once your email address is verified.*send a new one/),
    });
    expect(fake.requests.length).toBe(calls);
    expect(await database.db.select().from(reservations).where(eq(reservations.payerId, owner.id))).toEqual([]);
    expect((await ensureBillingAccount(database.db, owner.id)).reservedMicros).toBe(0n);
  });

  it("a member of an unverified owner's project is told to ask the owner", async () => {
    const { owner, guest, chat } = await unverifiedOwnerProject();
    await expect(ask(guest.id, chat.id)).rejects.toMatchObject({ code: "forbidden:owner_email_unverified", message: expect.stringContaining(owner.email) });
  });

  it("under auto the turn answers locally instead; once verified, or on a paid plan, the cloud answers", async () => {
    const { owner, project, chat } = await unverifiedOwnerProject();
    // auto escalates a question the vault cannot answer (here: an empty vault)
    await database.db.update(projects).set({ settings: { ...DEFAULT_PROJECT_SETTINGS, escalationPolicy: "auto" } }).where(eq(projects.id, project.id));
    const local = await ask(owner.id, chat.id, "auto");
    await answerFinished(local.stream.id);
    expect(await database.db.select().from(reservations).where(eq(reservations.payerId, owner.id))).toEqual([]);
    const [answer] = await database.db.select().from(messages).where(eq(messages.id, local.assistantMessageId));
    expect(answer).toMatchObject({ tier: "local", status: "complete" });

    await database.db.update(users).set({ emailVerified: new Date() }).where(eq(users.id, owner.id));
    const verified = await ask(owner.id, chat.id);
    await answerFinished(verified.stream.id);
    expect(await database.db.select().from(reservations).where(eq(reservations.payerId, owner.id))).toHaveLength(1);

    // A paying account's calls are paid for: verification is not what stands between them and the platform key.
    const paying = await unverifiedOwnerProject();
    await ensureBillingAccount(database.db, paying.owner.id);
    await database.db.update(billingAccounts).set({ tier: "managed" }).where(eq(billingAccounts.userId, paying.owner.id));
    const managed = await ask(paying.owner.id, paying.chat.id);
    await answerFinished(managed.stream.id);
    expect(await database.db.select().from(reservations).where(eq(reservations.payerId, paying.owner.id))).toHaveLength(1);
  });
});
