import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { accountDeletions, chats, emailOutbox, projectMembers, projects, usageEvents, users } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { createProject } from "@/server/projects/service";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { DELETION_GRACE_MS, cancelDeletionOnSignIn, deletionRecentlyCancelled, purgeDueDeletions } from "./deletion";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const later = (ms: number) => new Date(Date.now() + ms);

describe("account deletion", () => {
  it("is blocked, with a plain explanation, while the person owns a project others are members of", async () => {
    const { owner, project } = await makeProject(database.db, ["viewer"]);
    const api = createCaller(contextFor(database.db, owner));
    const state = await api.account.deletion();
    expect(state).toMatchObject({ state: "none", blockers: [{ id: project.id, title: project.title, others: 1 }] });
    await expect(api.account.scheduleDeletion({ confirmEmail: owner.email })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`You own “${project.title}”`) });
    expect(await database.db.select().from(accountDeletions).where(eq(accountDeletions.userId, owner.id))).toEqual([]);
  });

  it("needs the person's own email to confirm, then waits 14 days", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    await expect(api.account.scheduleDeletion({ confirmEmail: "someone@else.com" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const before = Date.now();
    await api.account.scheduleDeletion({ confirmEmail: me.email.toUpperCase() });
    const state = await api.account.deletion();
    if (state.state !== "scheduled") throw new Error(`state ${state.state}`);
    expect(state.purgeAfter.getTime() - before).toBeGreaterThanOrEqual(DELETION_GRACE_MS - 1000);
    // nothing happens before the grace period ends
    expect(await purgeDueDeletions(database.db)).toBe(0);
    expect(await database.db.select().from(users).where(eq(users.id, me.id))).toHaveLength(1);
  });

  it("signing in within the grace period cancels it, and the account page says so", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    await api.account.scheduleDeletion({ confirmEmail: me.email });
    expect(await cancelDeletionOnSignIn(database.db, { userId: me.id })).toBe(true);
    expect(await cancelDeletionOnSignIn(database.db, { userId: me.id })).toBe(false);
    expect(await api.account.deletion()).toMatchObject({ state: "cancelled" });
    expect(await deletionRecentlyCancelled(database.db, { userId: me.id })).toBe(true);
    await purgeDueDeletions(database.db, { now: later(DELETION_GRACE_MS * 2) });
    expect(await database.db.select().from(users).where(eq(users.id, me.id))).toHaveLength(1);
  });

  it("after the grace period the worker removes the person and their projects, and keeps money records without them", async () => {
    const me = await makeUser(database.db);
    const project = await createProject(database.db, { ownerId: me.id, title: "Solo" });
    const chat = await createChat(database.db, { projectId: project.id, by: me.id, title: "Mine" });
    await database.db.insert(usageEvents).values({
      requestId: `req-${me.id}`,
      payerId: me.id,
      actorId: me.id,
      projectId: project.id,
      tier: "cloud",
      provider: "anthropic",
      model: "claude-x",
      tokensIn: 10,
      tokensOut: 20,
      costBasisMicros: 100n,
      markupMicros: 0n,
      feeMicros: 0n,
      creditsAppliedMicros: 0n,
      netChargeMicros: 100n,
    });
    // someone else's deletion, still in grace, stays
    const other = await makeUser(database.db);
    await createCaller(contextFor(database.db, other)).account.scheduleDeletion({ confirmEmail: other.email });
    await createCaller(contextFor(database.db, me)).account.scheduleDeletion({ confirmEmail: me.email });
    await database.db.update(accountDeletions).set({ purgeAfter: new Date(Date.now() - 1000) }).where(eq(accountDeletions.userId, me.id));

    expect(await purgeDueDeletions(database.db)).toBe(1);
    expect(await database.db.select().from(users).where(eq(users.id, me.id))).toEqual([]);
    expect(await database.db.select().from(projects).where(eq(projects.id, project.id))).toEqual([]);
    expect(await database.db.select().from(chats).where(eq(chats.id, chat.id))).toEqual([]);
    const [kept] = await database.db.select().from(usageEvents).where(eq(usageEvents.requestId, `req-${me.id}`));
    expect(kept).toMatchObject({ payerId: null, actorId: null, projectId: null, netChargeMicros: 100n, tokensIn: 10 });
    expect(await database.db.select().from(users).where(eq(users.id, other.id))).toHaveLength(1);
  });

  it("a project that gained members during the grace period postpones the removal", async () => {
    const { owner } = await makeProject(database.db, []);
    await createCaller(contextFor(database.db, owner)).account.scheduleDeletion({ confirmEmail: owner.email });
    // the owner's project gains a member after the request
    const [p] = await database.db.select().from(projects).where(eq(projects.ownerId, owner.id));
    const joiner = await makeUser(database.db);
    await database.db.insert(projectMembers).values({ projectId: p?.id ?? "", userId: joiner.id, role: "viewer", quotaMicros: 0n });
    await database.db.update(accountDeletions).set({ purgeAfter: new Date(Date.now() - 1000) }).where(eq(accountDeletions.userId, owner.id));
    expect(await purgeDueDeletions(database.db)).toBe(0);
    expect(await database.db.select().from(users).where(eq(users.id, owner.id))).toHaveLength(1);
    const [row] = await database.db.select().from(accountDeletions).where(eq(accountDeletions.userId, owner.id));
    expect(row?.purgeAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it("scheduling mails the person the date it will happen and how to cancel it; carrying it out sends a last mail", async () => {
    const me = await makeUser(database.db);
    const mailsTo = () => database.db.select().from(emailOutbox).where(eq(emailOutbox.to, me.email));
    await createCaller(contextFor(database.db, me)).account.scheduleDeletion({ confirmEmail: me.email });
    const [row] = await database.db.select().from(accountDeletions).where(eq(accountDeletions.userId, me.id));
    if (!row) throw new Error("not scheduled");
    const [scheduled, ...more] = await mailsTo();
    expect(more).toEqual([]);
    expect(scheduled?.subject).toBe("Your Arbor account will be deleted");
    // the date and time in the mail are the row's, in the person's zone (none set here: UTC, and it says so),
    // and signing in is how to keep the account
    const when = row.purgeAfter.toLocaleString("en-US", { timeZone: "UTC", month: "short", day: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    expect(scheduled?.text).toContain(`${when} UTC`);
    expect(scheduled?.text).toMatch(/sign in .*before then/i);
    expect(scheduled?.text).toContain("/sign-in");

    await database.db.update(accountDeletions).set({ purgeAfter: new Date(Date.now() - 1000) }).where(eq(accountDeletions.userId, me.id));
    expect(await purgeDueDeletions(database.db)).toBe(1);
    // the pending mails to the person are dropped, the last one stays queued in the outbox after the account is gone
    const after = await mailsTo();
    expect(after.map((m) => m.subject)).toEqual(["Your Arbor account was deleted"]);
    expect(after[0]?.status).toBe("pending");
    expect(after[0]?.text).toMatch(/deleted/);
  });
});
