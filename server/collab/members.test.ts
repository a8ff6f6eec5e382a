import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { activityEvents, memberSpend, projectMembers } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { createCaller } from "@/server/routers/_app";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const api = (user: Parameters<typeof contextFor>[1]) => createCaller(contextFor(database.db, user));

async function roleOf(projectId: string, userId: string) {
  const [row] = await database.db
    .select()
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)));
  return row;
}

describe("members", () => {
  it("lists members with role, quota, spent and remaining; spending of others only for the owner", async () => {
    const { owner, project, members } = await makeProject(database.db, ["editor", "viewer"]);
    const editor = members.editor;
    if (!editor) throw new Error("fixture");
    await database.db.insert(memberSpend).values({ projectId: project.id, userId: editor.id, spentMicros: 1_200_000n, reservedMicros: 300_000n });
    const list = await api(owner).collab.members({ projectId: project.id });
    expect(list.map((m) => m.role)).toEqual(["owner", "editor", "viewer"]);
    expect(list[0]).toMatchObject({ userId: owner.id, quotaMicros: null, remainingMicros: null });
    expect(list[1]).toMatchObject({ quotaMicros: 5_000_000n, spentMicros: 1_200_000n, remainingMicros: 3_500_000n });
    const seenByViewer = await api(members.viewer ?? null).collab.members({ projectId: project.id });
    expect(seenByViewer[1]).toMatchObject({ quotaMicros: null, spentMicros: 0n, remainingMicros: null });
    expect(seenByViewer[2]).toMatchObject({ quotaMicros: 5_000_000n });
    await expect(api(await makeUser(database.db)).collab.members({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("the owner changes roles and quotas, never to or of the owner; others are refused", async () => {
    const { owner, project, members } = await makeProject(database.db, ["commenter", "editor"]);
    const guest = members.commenter;
    if (!guest) throw new Error("fixture");
    await api(owner).collab.changeRole({ projectId: project.id, userId: guest.id, role: "editor" });
    await api(owner).collab.changeQuota({ projectId: project.id, userId: guest.id, quotaUsd: "12.34" });
    expect(await roleOf(project.id, guest.id)).toMatchObject({ role: "editor", quotaMicros: 12_340_000n });
    // @ts-expect-error: owner is not a member role
    await expect(api(owner).collab.changeRole({ projectId: project.id, userId: guest.id, role: "owner" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api(owner).collab.changeRole({ projectId: project.id, userId: owner.id, role: "viewer" })).rejects.toThrow(/Handover/);
    await expect(api(owner).collab.changeQuota({ projectId: project.id, userId: guest.id, quotaUsd: "-5" })).rejects.toThrow(/negative/);
    await expect(api(owner).collab.changeQuota({ projectId: project.id, userId: guest.id, quotaUsd: "99999" })).rejects.toThrow(/\$10,000/);
    await expect(api(owner).collab.changeQuota({ projectId: project.id, userId: owner.id, quotaUsd: "5" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      api(members.editor ?? null).collab.changeRole({ projectId: project.id, userId: guest.id, role: "viewer" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api(owner).collab.changeRole({ projectId: project.id, userId: (await makeUser(database.db)).id, role: "viewer" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await roleOf(project.id, guest.id)).toMatchObject({ role: "editor", quotaMicros: 12_340_000n });
    const verbs = (await database.db.select().from(activityEvents).where(eq(activityEvents.projectId, project.id))).map((e) => e.verb);
    expect(verbs).toEqual(expect.arrayContaining(["changed_role", "changed_quota"]));
  });

  it("the owner removes members; a member leaves; the owner cannot leave", async () => {
    const { owner, project, members } = await makeProject(database.db, ["viewer", "editor"]);
    const viewer = members.viewer;
    const editor = members.editor;
    if (!viewer || !editor) throw new Error("fixture");
    await api(owner).collab.removeMember({ projectId: project.id, userId: viewer.id });
    expect(await roleOf(project.id, viewer.id)).toBeUndefined();
    await expect(api(viewer).projects.get({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api(owner).collab.removeMember({ projectId: project.id, userId: owner.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await api(editor).collab.leave({ projectId: project.id });
    expect(await roleOf(project.id, editor.id)).toBeUndefined();
    await expect(api(owner).collab.leave({ projectId: project.id })).rejects.toThrow(/hand it over/i);
    expect(await roleOf(project.id, owner.id)).toMatchObject({ role: "owner" });
    const verbs = (await database.db.select().from(activityEvents).where(eq(activityEvents.projectId, project.id))).map((e) => e.verb);
    expect(verbs).toEqual(expect.arrayContaining(["removed", "left"]));
  });
});

describe("activity feed", () => {
  it("shows who did what with names, and an unread marker per member", async () => {
    const { owner, project } = await makeProject(database.db);
    const { token } = await api(owner).collab.createInvite({ projectId: project.id, role: "commenter", quotaUsd: "1", expiresInHours: 2 });
    const guest = await makeUser(database.db, { name: "Guest Person" });
    await api(guest).collab.acceptInvite({ token });
    await api(owner).collab.changeRole({ projectId: project.id, userId: guest.id, role: "editor" });

    const ownerFeed = await api(owner).collab.activity({ projectId: project.id });
    expect(ownerFeed.items.map((i) => i.verb)).toEqual(["changed_role", "joined", "invited", "created_project"]);
    expect(ownerFeed.items[1]).toMatchObject({ actorName: "Guest Person", unread: true });
    expect(ownerFeed.items[0]).toMatchObject({ unread: false, targetName: "Guest Person", detail: { from: "commenter", to: "editor" } });
    // the owner's own events are never unread for the owner; the guest's join is
    expect(ownerFeed.unreadCount).toBe(1);

    // the guest joined after the invite, so only the role change is new to them
    expect(await api(guest).collab.unreadActivity({ projectId: project.id })).toBe(1);
    await api(guest).collab.markActivitySeen({ projectId: project.id });
    expect(await api(guest).collab.unreadActivity({ projectId: project.id })).toBe(0);
    await api(owner).collab.markActivitySeen({ projectId: project.id });
    expect(await api(owner).collab.unreadActivity({ projectId: project.id })).toBe(0);

    await expect(api(await makeUser(database.db)).collab.activity({ projectId: project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api(null).collab.activity({ projectId: project.id })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
