import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { billingAccounts, usageEvents } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { settleReservation } from "@/server/billing/settle";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { startHandover } from "./start";

process.env.ENCRYPTION_KEY ??= "f".repeat(64);
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(() => database.close());

let ip = 0;
const api = (user: Parameters<typeof contextFor>[1]) => createCaller({ ...contextFor(database.db, user), ip: `10.8.${Math.floor(ip / 250)}.${ip++ % 250}` });

/** A project with a guest (quota $1) and two open invite links, handed to a recipient. */
async function handedProject() {
  const { owner, project, members } = await makeProject(database.db, ["editor"]);
  const guest = members.editor;
  if (!guest) throw new Error("fixture");
  const keepLink = await api(owner).collab.createInvite({ projectId: project.id, role: "editor", quotaUsd: "1", expiresInHours: 24, maxUses: 3 });
  const dropLink = await api(owner).collab.createInvite({ projectId: project.id, role: "editor", quotaUsd: "1", expiresInHours: 24, maxUses: 3 });
  const recipient = await makeUser(database.db);
  const { token } = await startHandover(database.db, {
    projectId: project.id,
    fromUserId: owner.id,
    toEmail: recipient.email,
    includeKnowledge: true,
    includeAdapters: true,
    previousOwnerLeaves: false,
    message: "",
  });
  return { owner, project, guest, recipient, token, keepLink, dropLink };
}

describe("handover asks the new owner about what would charge them", () => {
  it("the recipient sees each open invite link and each member quota, and must decide on every one", async () => {
    const { recipient, token, guest, keepLink, dropLink } = await handedProject();
    const preview = await api(recipient).collab.handoverPreview({ token });
    expect(preview.details?.openInvites.map((i) => i.id).sort()).toEqual([keepLink.invite.id, dropLink.invite.id].sort());
    expect(preview.details?.memberQuotas.map((m) => m.userId)).toEqual([guest.id]);
    await expect(api(recipient).collab.acceptHandover({ token })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/keep or revoke/) });
    await expect(
      api(recipient).collab.acceptHandover({ token, decisions: { invites: [{ inviteId: keepLink.invite.id, keep: true }], quotas: [{ userId: guest.id, keep: true }] } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("a revoked link and a revoked quota charge the new owner nothing; a kept link works and is theirs", async () => {
    const { project, guest, recipient, token, keepLink, dropLink } = await handedProject();
    await api(recipient).collab.acceptHandover({
      token,
      decisions: {
        invites: [
          { inviteId: keepLink.invite.id, keep: true },
          { inviteId: dropLink.invite.id, keep: false },
        ],
        quotas: [{ userId: guest.id, keep: false }],
      },
    });
    await expect(api(await makeUser(database.db)).collab.acceptInvite({ token: dropLink.token })).rejects.toThrow(/revoked/);
    const joiner = await makeUser(database.db);
    await api(joiner).collab.acceptInvite({ token: keepLink.token });
    expect((await api(joiner).collab.invitePreview({ token: keepLink.token })).hostEmail).toBe(recipient.email);
    await expect(
      reserveCloudBudget(database.db, { projectId: project.id, actorId: guest.id, requestId: `after-${guest.id}`, model: "claude-haiku-5-5", bound: { tokensIn: 10, tokensOut: 10 } }),
    ).rejects.toMatchObject({ code: "quota_exceeded:member" });
  });

  it("a call held before the handover was accepted is charged to the previous owner, not the new one", async () => {
    const { owner, project, guest, recipient, token, keepLink, dropLink } = await handedProject();
    const hold = await reserveCloudBudget(database.db, { projectId: project.id, actorId: guest.id, requestId: `before-${guest.id}`, model: "claude-haiku-5-5", bound: { tokensIn: 100, tokensOut: 100 } });
    await api(recipient).collab.acceptHandover({
      token,
      decisions: { invites: [keepLink, dropLink].map((l) => ({ inviteId: l.invite.id, keep: false })), quotas: [{ userId: guest.id, keep: true }] },
    });
    await settleReservation(database.db, { reservationId: hold.reservationId, messageId: null, usage: { tokensIn: 100, tokensOut: 100 } });
    const [usage] = await database.db.select().from(usageEvents).where(eq(usageEvents.requestId, `before-${guest.id}`));
    expect(usage?.payerId).toBe(owner.id);
    const [theirs] = await database.db.select().from(billingAccounts).where(eq(billingAccounts.userId, recipient.id));
    expect(theirs?.periodSpentMicros ?? 0n).toBe(0n);
  });
});
