import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { emailOutbox, messages, notifications } from "@/db/schema";
import { addComment } from "@/server/canvas/comments";
import { createChat } from "@/server/chat/chats";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { sendDigests } from "./digest";
import { mentionedMembers } from "./mentions";
import { setNotificationPreference, unreadCount } from "./notify";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function setup() {
  const db = database.db;
  const { owner, project, members } = await makeProject(db, ["editor", "commenter"]);
  const editor = members.editor;
  const commenter = members.commenter;
  if (!editor || !commenter) throw new Error("members missing");
  const chat = await createChat(db, { projectId: project.id, by: editor.id, title: "Beds" });
  const [question] = await db.insert(messages).values({ chatId: chat.id, role: "user", content: "Raised beds?", authorId: editor.id }).returning();
  const [answer] = await db.insert(messages).values({ chatId: chat.id, parentId: question?.id, role: "assistant", content: "Yes." }).returning();
  if (!question || !answer) throw new Error("no messages");
  return { owner, project, editor, commenter, chat, question, answer };
}

const local = (email: string) => email.split("@")[0] ?? "";
const bellOf = (userId: string) => database.db.select().from(notifications).where(eq(notifications.userId, userId));

describe("notifications", () => {
  it("a comment on your message (an answer is the asker's) reaches you; @mentions reach members only; never the commenter", async () => {
    const { owner, project, editor, commenter, answer } = await setup();
    const stranger = await makeUser(database.db);
    await addComment(database.db, { projectId: project.id, actorId: commenter.id, targetKey: `m:${answer.id}`, body: `Nice. @${local(owner.email)} and @${stranger.email} and @${local(commenter.email)}, look.` });
    const editorBell = await bellOf(editor.id);
    expect(editorBell.map((n) => [n.kind, n.mailPending])).toEqual([["comment", false]]);
    expect(editorBell[0]?.href).toBe(`/projects/${project.id}/chat/${answer.chatId}?message=${answer.id}`);
    const ownerBell = await bellOf(owner.id);
    expect(ownerBell.map((n) => [n.kind, n.mailPending])).toEqual([["mention", true]]); // mentions also mail by default
    expect(ownerBell[0]?.title).toMatch(/mentioned you/);
    expect(await bellOf(stranger.id)).toEqual([]);
    expect(await bellOf(commenter.id)).toEqual([]);
    expect(await mentionedMembers(database.db, { projectId: project.id, body: "mail me at x@y.com or @nobody" })).toEqual([]);
  });

  it("each category goes to the app, to mail, or nowhere, as the person chose", async () => {
    const { project, editor, commenter, answer } = await setup();
    await setNotificationPreference(database.db, { userId: editor.id, category: "comment", channel: "none" });
    await addComment(database.db, { projectId: project.id, actorId: commenter.id, targetKey: `m:${answer.id}`, body: "One" });
    expect(await bellOf(editor.id)).toEqual([]);
    await setNotificationPreference(database.db, { userId: editor.id, category: "comment", channel: "mail" });
    await addComment(database.db, { projectId: project.id, actorId: commenter.id, targetKey: `m:${answer.id}`, body: "Two" });
    expect((await bellOf(editor.id)).map((n) => n.mailPending)).toEqual([true]);
  });

  it("a burst becomes one digest mail through the outbox, once quiet; read marks are the caller's own", async () => {
    const { project, owner, editor, commenter, answer } = await setup();
    for (const word of ["first", "second", "third"]) {
      await addComment(database.db, { projectId: project.id, actorId: commenter.id, targetKey: `m:${answer.id}`, body: `@${local(owner.email)} ${word}` });
    }
    const mine = async () => (await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, owner.email)));
    await sendDigests(database.db); // not quiet yet
    expect(await mine()).toEqual([]);
    await database.db.update(notifications).set({ createdAt: sql`now() - interval '5 minutes'` }).where(eq(notifications.userId, owner.id));
    await sendDigests(database.db);
    const mails = await mine();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe("Arbor: 3 things need you");
    expect(mails[0]?.text).toContain("third");
    await sendDigests(database.db);
    expect(await mine()).toHaveLength(1);

    const api = (u: { id: string; email: string }) => createCaller(contextFor(database.db, u));
    expect(await api(owner).notifications.unread()).toBe(3);
    const [first] = (await api(owner).notifications.bell()).items;
    await api(editor).notifications.markRead({ notificationId: first?.id }); // someone else's: nothing happens
    expect(await unreadCount(database.db, owner.id)).toBe(3);
    await api(owner).notifications.markRead({ notificationId: first?.id });
    expect(await unreadCount(database.db, owner.id)).toBe(2);
    await api(owner).notifications.markRead({});
    expect(await unreadCount(database.db, owner.id)).toBe(0);
    expect((await api(commenter).notifications.mentionCandidates({ projectId: project.id, prefix: local(owner.email).slice(0, 4) })).map((c) => c.userId)).toContain(owner.id);
  });
});
