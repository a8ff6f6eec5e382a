import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { invites } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { ensureModelPrices } from "@/server/ai/model-prices";
import { reserveCloudBudget } from "@/server/billing/reserve";
import { settleReservation } from "@/server/billing/settle";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";

process.env.ENCRYPTION_KEY ??= "e".repeat(64);
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-42";
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await ensureModelPrices(database.db);
});
afterAll(() => database.close());

let ip = 0;
const api = (user: Parameters<typeof contextFor>[1]) => createCaller({ ...contextFor(database.db, user), ip: `10.9.${Math.floor(ip / 250)}.${ip++ % 250}` });
let seq = 0;

/** One cloud call by `actorId`: holds 1,000 in + 100 out of Sonnet ($0.003) and is charged all of it. */
async function spend(projectId: string, actorId: string) {
  const hold = await reserveCloudBudget(database.db, { projectId, actorId, requestId: `spend-${actorId}-${++seq}`, model: "claude-sonnet-5-5", bound: { tokensIn: 1_000, tokensOut: 100 } });
  await settleReservation(database.db, { reservationId: hold.reservationId, messageId: null, usage: { tokensIn: 1_000, tokensOut: 100 } });
}

async function guestWithLink(quotaUsd: string, maxUses = 5) {
  const { owner, project } = await makeProject(database.db);
  const { token, invite } = await api(owner).collab.createInvite({ projectId: project.id, role: "editor", quotaUsd, expiresInHours: 24, maxUses });
  const guest = await makeUser(database.db);
  await api(guest).collab.acceptInvite({ token });
  return { owner, project, guest, token, invite };
}

const spentOf = async (owner: Parameters<typeof api>[0], projectId: string, userId: string) =>
  (await api(owner).collab.members({ projectId })).find((m) => m.userId === userId)?.spentMicros;

describe("spend per person per project outlives the membership", () => {
  it("a guest who spent their quota, left and came back through the same link is still stopped", async () => {
    const { owner, project, guest, token } = await guestWithLink("0.006");
    await spend(project.id, guest.id);
    await spend(project.id, guest.id);
    await expect(spend(project.id, guest.id)).rejects.toMatchObject({ code: "quota_exceeded:member" });
    await api(guest).collab.leave({ projectId: project.id });
    await api(guest).collab.acceptInvite({ token });
    expect(await spentOf(owner, project.id, guest.id)).toBe(6_000n);
    await expect(spend(project.id, guest.id)).rejects.toMatchObject({ code: "quota_exceeded:member" });
  });

  it("a removed person cannot come back through an old link; a new link the owner makes afterwards works, and their spend is still counted", async () => {
    const { owner, project, guest, token } = await guestWithLink("1");
    await spend(project.id, guest.id);
    await api(owner).collab.removeMember({ projectId: project.id, userId: guest.id });
    await expect(api(guest).collab.acceptInvite({ token })).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/removed/) });
    const fresh = await api(owner).collab.createInvite({ projectId: project.id, role: "viewer", quotaUsd: "1", expiresInHours: 24, maxUses: 1 });
    await api(guest).collab.acceptInvite({ token: fresh.token });
    const row = (await api(owner).collab.members({ projectId: project.id })).find((m) => m.userId === guest.id);
    expect(row).toMatchObject({ role: "viewer", spentMicros: 3_000n, remainingMicros: 997_000n });
  });

  it("an invite made without a number of uses admits one person", async () => {
    const { owner, project } = await makeProject(database.db);
    const { token, invite } = await api(owner).collab.createInvite({ projectId: project.id, role: "viewer", quotaUsd: "0", expiresInHours: 24 });
    expect(invite.maxUses).toBe(1);
    await api(await makeUser(database.db)).collab.acceptInvite({ token });
    await expect(api(await makeUser(database.db)).collab.acceptInvite({ token })).rejects.toThrow(/maximum number of times/);
    const [row] = await database.db.select().from(invites).where(and(eq(invites.id, invite.id), eq(invites.projectId, project.id)));
    expect(row?.uses).toBe(1);
  });
});
