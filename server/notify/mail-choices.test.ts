import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "@/db/client";
import { emailOutbox, messages } from "@/db/schema";
import { addComment } from "@/server/canvas/comments";
import { createChat } from "@/server/chat/chats";
import { createCaller } from "@/server/routers/_app";
import { createTestDatabase } from "@/testing/database";
import { contextFor, makeProject, makeUser } from "@/testing/fixtures";
import { sendDigests } from "./digest";
import { enqueueOptionalMail, mailChoices, readUnsubscribeToken, unsubscribe, unsubscribeToken, wantsMail } from "./mail-choices";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const mailsTo = (to: string) => database.db.select().from(emailOutbox).where(eq(emailOutbox.to, to));

describe("which mails Arbor sends", () => {
  it("every optional kind is on by default; off stops that kind only, and keeps the bell", async () => {
    const me = await makeUser(database.db);
    const api = createCaller(contextFor(database.db, me));
    expect(await api.notifications.mailChoices()).toEqual({ budget: true, activity: true, invites: true, handovers: true });
    await api.notifications.setMailChoice({ kind: "activity", on: false });
    expect(await api.notifications.mailChoices()).toEqual({ budget: true, activity: false, invites: true, handovers: true });
    // activity off means comments and mentions stay in the bell, not nowhere
    expect(await api.notifications.preferences()).toMatchObject({ comment: "app", mention: "app", billing: "mail" });
    // @ts-expect-error: security mails are not a choice
    await expect(api.notifications.setMailChoice({ kind: "security", on: false })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(createCaller(contextFor(database.db, null)).notifications.mailChoices()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("an optional mail carries an unsubscribe line and RFC 8058 headers; none is queued once that kind is off", async () => {
    const me = await makeUser(database.db);
    expect(await enqueueOptionalMail(database.db, { kind: "invites", to: me.email, subject: "You are invited", text: "Join us." })).toBe(true);
    const [mail] = await mailsTo(me.email);
    expect(mail?.text).toMatch(/Unsubscribe: http\S+\/unsubscribe\?t=\S+/);
    expect(mail?.headers?.["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const oneClick = mail?.headers?.["List-Unsubscribe"] ?? "";
    expect(oneClick).toMatch(/^<http\S+\/api\/unsubscribe\?t=\S+>$/);
    const token = decodeURIComponent(new URL(oneClick.slice(1, -1)).searchParams.get("t") ?? "");
    expect(readUnsubscribeToken(token)).toEqual({ userId: me.id, kind: "invites" });

    expect(await unsubscribe(database.db, { token })).toEqual({ kind: "invites", email: me.email });
    expect(await wantsMail(database.db, { userId: me.id, kind: "invites" })).toBe(false);
    expect(await enqueueOptionalMail(database.db, { kind: "invites", to: me.email.toUpperCase(), subject: "Again", text: "Join us." })).toBe(false);
    expect(await mailsTo(me.email)).toHaveLength(1);
    // other kinds still reach them
    expect(await enqueueOptionalMail(database.db, { kind: "handovers", userId: me.id, to: me.email, subject: "Take it", text: "Here." })).toBe(true);
  });

  it("a forged, altered or other person's token changes nothing", async () => {
    const me = await makeUser(database.db);
    const other = await makeUser(database.db);
    const good = unsubscribeToken({ userId: me.id, kind: "budget" });
    const [payload, mac] = good.split(".");
    const swapped = `${Buffer.from(`${other.id}.budget`).toString("base64url")}.${mac}`;
    const otherKind = `${Buffer.from(`${me.id}.activity`).toString("base64url")}.${mac}`;
    for (const bad of ["", "nonsense", `${payload}.AAAA`, swapped, otherKind, `${good}x`]) {
      expect(readUnsubscribeToken(bad)).toBeNull();
      expect(await unsubscribe(database.db, { token: bad })).toBeNull();
    }
    expect(await mailChoices(database.db, { userId: me.id })).toMatchObject({ budget: true });
    expect(await mailChoices(database.db, { userId: other.id })).toMatchObject({ budget: true });
  });

  it("an invite to an address without an account is sent, without an unsubscribe link", async () => {
    const to = `nobody-${Math.random().toString(16).slice(2)}@example.com`;
    expect(await enqueueOptionalMail(database.db, { kind: "invites", to, subject: "Join", text: "Please." })).toBe(true);
    const [mail] = await mailsTo(to);
    expect(mail?.text).not.toMatch(/unsubscribe/i);
    expect(mail?.headers).toBeNull();
  });

  it("the activity digest honours the choice: with activity mail off, a mention waits in the bell and no digest goes", async () => {
    const db = database.db;
    const { owner, project, members } = await makeProject(db, ["commenter"]);
    const commenter = members.commenter;
    if (!commenter) throw new Error("no commenter");
    const chat = await createChat(db, { projectId: project.id, by: owner.id, title: "Digest" });
    const [q] = await db.insert(messages).values({ chatId: chat.id, role: "user", content: "Q", authorId: owner.id }).returning();
    if (!q) throw new Error("no message");
    await createCaller(contextFor(db, owner)).notifications.setMailChoice({ kind: "activity", on: false });
    await addComment(db, { projectId: project.id, actorId: commenter.id, targetKey: `m:${q.id}`, body: `@${owner.email} look` });
    await sendDigests(db, { quietMs: 0 });
    expect(await mailsTo(owner.email)).toEqual([]);
    const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from notifications where user_id = ${owner.id}`);
    expect(Number(row?.n)).toBe(1);

    await createCaller(contextFor(db, owner)).notifications.setMailChoice({ kind: "activity", on: true });
    await addComment(db, { projectId: project.id, actorId: commenter.id, targetKey: `m:${q.id}`, body: `@${owner.email} again` });
    await sendDigests(db, { quietMs: 0 });
    const [digest] = await mailsTo(owner.email);
    expect(digest?.text).toMatch(/Unsubscribe: /);
    expect(digest?.headers?.["List-Unsubscribe"]).toMatch(/^<.+>$/);
  });
});
