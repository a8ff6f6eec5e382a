import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { adapters, chats, emailOutbox, projects } from "@/db/schema";
import { createChat } from "@/server/chat/chats";
import { acceptHandover } from "@/server/handover/accept";
import { startHandover } from "@/server/handover/start";
import { openStorage, type Storage } from "@/server/storage/store";
import { createTestDatabase } from "@/testing/database";
import { makeProject, makeUser } from "@/testing/fixtures";
import { makeLoraSafetensors, sha256Hex } from "@/testing/lora-file";
import { temporaryFilesystemStorage } from "@/testing/s3-server";
import { tusCreate, tusPatch, uploadIdFrom } from "@/testing/tus-requests";
import { adapterProcessingDone } from "./process";
import { selectAdapter } from "./selection";
import { handleAdapterUpload } from "./tus-handler";

let database: Database;
let storage: Storage;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  database = await createTestDatabase();
  const started = await temporaryFilesystemStorage();
  storage = openStorage(started.config);
  closeStore = started.close;
});
afterAll(async () => {
  await adapterProcessingDone();
  await closeStore();
  await database.close();
});

async function uploadedAdapter(userId: string, projectId: string, name: string, layers: number) {
  const bytes = makeLoraSafetensors({ layers });
  const created = await handleAdapterUpload(database.db, storage, {
    request: tusCreate({ projectId, filename: `${name}.safetensors`, name, baseModel: "meta-llama/Llama-3.1-8B-Instruct", sha256: sha256Hex(bytes) }, bytes.length),
    userId,
  });
  await handleAdapterUpload(database.db, storage, { request: tusPatch(uploadIdFrom(created), 0, bytes), userId });
  await adapterProcessingDone();
  const [row] = await database.db.select().from(adapters).where(eq(adapters.name, name));
  if (row?.status !== "ready") throw new Error(`adapter ${name} is ${row?.status}: ${row?.error}`);
  return row;
}

const used = async (projectId: string) => (await database.db.select().from(projects).where(eq(projects.id, projectId)))[0]?.storageUsedBytes;

async function handOver(ownerId: string, projectId: string, includeAdapters: boolean) {
  const recipient = await makeUser(database.db);
  const { token } = await startHandover(database.db, { projectId, fromUserId: ownerId, toEmail: recipient.email, includeKnowledge: true, includeAdapters, previousOwnerLeaves: false, message: "" });
  const accepted = await acceptHandover(database.db, { token, userId: recipient.id, ip: "127.0.0.1", decisions: { invites: [], quotas: [] }, storage });
  return { recipient, ...accepted };
}

describe("adapters in a handover", () => {
  it("lists the adapters in the snapshot and the mail, and moves them with the project when included", async () => {
    const { owner, project } = await makeProject(database.db);
    const a = await uploadedAdapter(owner.id, project.id, "Tone A", 2);
    const recipient = await makeUser(database.db);
    const { handover } = await startHandover(database.db, { projectId: project.id, fromUserId: owner.id, toEmail: recipient.email, includeKnowledge: true, includeAdapters: true, previousOwnerLeaves: false, message: "" });
    expect(handover.snapshot.adapterList).toEqual([{ name: "Tone A", baseModel: "meta-llama/Llama-3.1-8B-Instruct", sizeBytes: a.sizeBytes, rank: 8, status: "ready" }]);
    const [mail] = await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, recipient.email));
    expect(mail?.text).toContain("Its 1 LoRA adapter is included: Tone A.");
  });

  it("included: the adapters, their storage and objects stay with the handed-over project, now the recipient's", async () => {
    const { owner, project } = await makeProject(database.db);
    const a = await uploadedAdapter(owner.id, project.id, "Tone B", 3);
    const { recipient, residualProjectId } = await handOver(owner.id, project.id, true);
    expect(residualProjectId).toBeNull();
    const [p] = await database.db.select().from(projects).where(eq(projects.id, project.id));
    expect(p?.ownerId).toBe(recipient.id);
    expect(p?.storageUsedBytes).toBe(a.sizeBytes);
    const [row] = await database.db.select().from(adapters).where(eq(adapters.id, a.id));
    expect(row?.projectId).toBe(project.id);
    expect((await storage.objects.stat(row?.objectKey ?? ""))?.size).toBe(a.sizeBytes);
  });

  it("unchecked: the adapters, their storage and their objects move to a project the previous owner keeps; nothing points at them", async () => {
    const { owner, project } = await makeProject(database.db);
    const a = await uploadedAdapter(owner.id, project.id, "Tone C", 4);
    const chat = await createChat(database.db, { projectId: project.id, by: owner.id });
    await selectAdapter(database.db, { projectId: project.id, target: { kind: "chat", chatId: chat.id }, adapterId: a.id });
    await selectAdapter(database.db, { projectId: project.id, target: { kind: "project" }, adapterId: a.id });
    const { residualProjectId } = await handOver(owner.id, project.id, false);
    expect(residualProjectId).toBeTruthy();
    const [kept] = await database.db.select().from(projects).where(eq(projects.id, residualProjectId ?? ""));
    expect(kept).toMatchObject({ ownerId: owner.id, title: "Test project (kept adapters)", storageUsedBytes: a.sizeBytes });
    expect(await used(project.id)).toBe(0);
    const [row] = await database.db.select().from(adapters).where(eq(adapters.id, a.id));
    expect(row?.projectId).toBe(residualProjectId);
    expect(row?.objectKey).toBe(`projects/${residualProjectId}/adapters/${a.id}.safetensors`);
    expect((await storage.objects.stat(row?.objectKey ?? ""))?.size).toBe(a.sizeBytes);
    expect(await storage.objects.stat(a.objectKey ?? "")).toBeNull();
    expect((await database.db.select().from(chats).where(eq(chats.id, chat.id)))[0]?.adapterId).toBeNull();
    expect((await database.db.select().from(projects).where(eq(projects.id, project.id)))[0]?.settings.adapterId).toBeNull();
    const [mail] = (await database.db.select().from(emailOutbox).where(eq(emailOutbox.to, owner.email))).filter((m) => m.subject.includes("accepted"));
    expect(mail?.text).toMatch(/Your 1 adapter moved to a project you keep: .*\/adapters/);
  });
});
