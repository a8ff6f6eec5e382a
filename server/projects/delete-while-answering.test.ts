import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { projects, reservations } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import type { FakeAnthropic } from "@/testing/fakes/anthropic";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { ensureBillingAccount } from "@/server/billing/accounts";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { settleReservation } from "@/server/billing/settle";
import { createChat } from "@/server/chat/chats";
import { answerFinished } from "@/server/chat/stream/registry";
import { startChatTurn } from "@/server/chat/stream/start";
import { requestStop } from "@/server/chat/stream/stop";
import { makeProject } from "@/testing/fixtures";
import { newRequestId, useFakeAnthropic } from "@/testing/chat-turns";
import { deleteProject } from "./service";

/**
 * Leak 5: deleting a project while one of its answers streams cascaded its
 * hold away — the answer was never billed and the payer's reserved_micros
 * stayed raised for good. Now the delete is refused while a hold is open or
 * an answer runs, and goes through once it settled.
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

const bound = { tokensIn: 2_000, tokensOut: 500 };

describe("deleting a project while an answer is billed", () => {
  it("is refused while a hold is open, and the hold is settled exactly once; then the delete goes through", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const hold = await reserveCloudBudget(db, { projectId: project.id, actorId: owner.id, requestId: newRequestId(), model: "claude-haiku-5-5", bound });
    const raised = (await ensureBillingAccount(db, owner.id)).reservedMicros;
    expect(raised).toBe(hold.amountMicros);

    await expect(deleteProject(db, { projectId: project.id, confirmTitle: project.title })).rejects.toMatchObject({
      code: "conflict:answer_in_progress",
      message: expect.stringMatching(/^An answer is still being written in this project/),
    });
    expect(await db.select().from(projects).where(eq(projects.id, project.id))).toHaveLength(1);

    const charge = await settleReservation(db, { reservationId: hold.reservationId, messageId: null, usage: { tokensIn: 1_000, tokensOut: 100 } });
    expect(charge.chargedMicros).toBeGreaterThan(0n);
    await deleteProject(db, { projectId: project.id, confirmTitle: project.title });
    const after = await ensureBillingAccount(db, owner.id);
    expect(after.reservedMicros).toBe(0n);
    expect(after.periodSpentMicros).toBe(charge.chargedMicros);
  });

  it("is refused while a cloud answer streams; after Stop settles it, the delete leaves nothing held", async () => {
    const db = database.db;
    const { owner, project } = await makeProject(db);
    const chat = await createChat(db, { projectId: project.id, by: owner.id });
    const turn = await startChatTurn(db, {
      userId: owner.id,
      request: { requestId: newRequestId(), chatId: chat.id, parentId: null, content: "Tell me a long story [[slow]]", tier: "cloud", maxTokens: 256 },
    });
    await expect(deleteProject(db, { projectId: project.id, confirmTitle: project.title })).rejects.toMatchObject({ code: "conflict:answer_in_progress" });
    await requestStop(db, { projectId: project.id, streamId: turn.stream.id });
    await answerFinished(turn.stream.id);
    const [hold] = await db.select().from(reservations).where(eq(reservations.projectId, project.id));
    // settled for what it produced, or given back if Stop came before the call: closed either way
    expect(["settled", "released"]).toContain(hold?.status);
    await deleteProject(db, { projectId: project.id, confirmTitle: project.title });
    expect((await ensureBillingAccount(db, owner.id)).reservedMicros).toBe(0n);
  });

  it("a hold racing the delete either blocks it or fails with the project: the payer is never left holding", async () => {
    const db = database.db;
    for (let round = 0; round < 6; round++) {
      const { owner, project } = await makeProject(db);
      const [held, deleted] = await Promise.allSettled([
        reserveCloudBudget(db, { projectId: project.id, actorId: owner.id, requestId: newRequestId(), model: "claude-haiku-5-5", bound }),
        deleteProject(db, { projectId: project.id, confirmTitle: project.title }),
      ]);
      const account = await ensureBillingAccount(db, owner.id);
      const projectLeft = (await db.select().from(projects).where(eq(projects.id, project.id))).length;
      if (deleted.status === "fulfilled") {
        // the project is gone: no hold may remain on the payer
        expect(projectLeft).toBe(0);
        expect(account.reservedMicros).toBe(0n);
      } else {
        expect(deleted.reason).toMatchObject({ code: "conflict:answer_in_progress" });
        expect(held.status).toBe("fulfilled");
        expect(account.reservedMicros).toBe(held.status === "fulfilled" ? held.value.amountMicros : -1n);
      }
    }
  });
});
