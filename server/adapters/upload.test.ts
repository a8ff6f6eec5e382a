import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { adapters, projects } from "@/db/schema";
import { createTestDatabase } from "@/testing/database";
import { makeProject, makeUser } from "@/testing/fixtures";
import { makeFullModelSafetensors, makeLoraSafetensors, makeLoraZip, sha256Hex } from "@/testing/lora-file";
import { startS3Server, temporaryFilesystemStorage } from "@/testing/s3-server";
import { tusCreate, tusDelete, tusHead, tusPatch, uploadIdFrom } from "@/testing/tus-requests";
import { openStorage, type Storage } from "@/server/storage/store";
import { downloadAdapter } from "./download";
import { adapterProcessingDone } from "./process";
import { deleteAdapter } from "./registry";
import { handleAdapterUpload } from "./tus-handler";
import { cleanAbandonedUploads } from "./uploads";

const CHUNK = 1024 * 1024;

/** The same integration suite on the filesystem store and on a real S3-compatible server. */
for (const kind of ["filesystem", "s3"] as const) {
  describe(`adapter uploads over tus: ${kind}`, () => {
    let database: Database;
    let storage: Storage;
    let closeStore: () => Promise<void>;
    beforeAll(async () => {
      database = await createTestDatabase();
      const started = kind === "s3" ? await startS3Server() : await temporaryFilesystemStorage();
      storage = openStorage(started.config);
      closeStore = started.close;
    });
    afterAll(async () => {
      await adapterProcessingDone();
      await closeStore();
      await database.close();
    });

    const send = (request: Request, userId: string) => handleAdapterUpload(database.db, storage, { request, userId });
    const fields = (projectId: string, bytes: Uint8Array, extra: Record<string, string> = {}) => ({
      projectId,
      filename: "support-tone.safetensors",
      name: "Support tone",
      baseModel: "meta-llama/Llama-3.1-8B-Instruct",
      sha256: sha256Hex(bytes),
      ...extra,
    });
    const usedBytes = async (projectId: string) => (await database.db.select().from(projects).where(eq(projects.id, projectId)))[0]?.storageUsedBytes;
    const adapterOf = async (projectId: string) => database.db.select().from(adapters).where(eq(adapters.projectId, projectId));

    async function uploadAll(userId: string, projectId: string, bytes: Buffer, extra: Record<string, string> = {}) {
      const created = await send(tusCreate(fields(projectId, bytes, extra), bytes.length), userId);
      expect(created.status, await created.clone().text()).toBe(201);
      const id = uploadIdFrom(created);
      for (let offset = 0; offset < bytes.length; offset += CHUNK) {
        const res = await send(tusPatch(id, offset, bytes.subarray(offset, offset + CHUNK)), userId);
        expect(res.status, await res.clone().text()).toBe(204);
      }
      await adapterProcessingDone();
      return id;
    }

    it("takes a LoRA in checksummed chunks, verifies it and reads its rank, alpha, modules and base model", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors({ rank: 16, hidden: 512, layers: 12, modules: ["q_proj", "k_proj", "v_proj", "o_proj"], alpha: 32 });
      expect(lora.length).toBeGreaterThan(2 * CHUNK);
      await uploadAll(owner.id, project.id, lora);
      const [row] = await adapterOf(project.id);
      expect(row).toMatchObject({ status: "ready", rank: 16, alpha: 32, targetModules: ["k_proj", "o_proj", "q_proj", "v_proj"], sizeBytes: lora.length, sha256: sha256Hex(lora), uploadId: null, error: null });
      expect(row?.baseModel).toBe("meta-llama/Llama-3.1-8B-Instruct");
      expect(row?.storedIn).toMatch(kind === "s3" ? /^s3:\/\/arbor-test\/projects\// : /^filesystem: projects\//);
      expect(await usedBytes(project.id)).toBe(lora.length);
      const stored = await storage.objects.stat(row?.objectKey ?? "");
      expect(stored?.size).toBe(lora.length);
      // Only the filed object is left: no tus bookkeeping.
      expect((await storage.objects.list("upload-")).filter((o) => o.key.includes(row?.id ?? "x"))).toEqual([]);
    });

    it("refuses a chunk whose checksum does not match, keeps nothing of it, and takes the good one after", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors({ hidden: 2048, layers: 8 });
      const created = await send(tusCreate(fields(project.id, lora), lora.length), owner.id);
      const id = uploadIdFrom(created);
      const chunk = lora.subarray(0, CHUNK);
      const damaged = Buffer.from(chunk);
      damaged[100] = (damaged[100] ?? 0) ^ 0xff;
      const refused = await send(tusPatch(id, 0, damaged, `sha256 ${Buffer.from(sha256Hex(chunk), "hex").toString("base64")}`), owner.id);
      expect(refused.status).toBe(460);
      expect((await refused.json()).error.code).toBe("bad_request:checksum_mismatch");
      const missing = await send(tusPatch(id, 0, chunk, null), owner.id);
      expect(missing.status).toBe(400);
      expect((await missing.json()).error.message).toMatch(/Every chunk must carry its SHA-256/);
      const head = await send(tusHead(id), owner.id);
      expect(head.headers.get("upload-offset")).toBe("0");
      for (let offset = 0; offset < lora.length; offset += CHUNK) {
        expect((await send(tusPatch(id, offset, lora.subarray(offset, offset + CHUNK)), owner.id)).status).toBe(204);
      }
      await adapterProcessingDone();
      expect((await adapterOf(project.id))[0]?.status).toBe("ready");
    });

    it("refuses a chunk out of order and bytes past the declared length", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors({ hidden: 2048, layers: 8 });
      const id = uploadIdFrom(await send(tusCreate(fields(project.id, lora), lora.length), owner.id));
      const skipped = await send(tusPatch(id, CHUNK, lora.subarray(CHUNK, 2 * CHUNK)), owner.id);
      expect(skipped.status).toBe(409);
      expect((await skipped.json()).error.message).toMatch(/out of order/);
      const tooMuch = Buffer.concat([lora, Buffer.alloc(10)]);
      const over = await send(tusPatch(id, 0, tooMuch), owner.id);
      expect(over.status).toBe(413);
      expect((await over.json()).error.message).toMatch(/More bytes arrived than the upload declared/);
      expect((await adapterOf(project.id))[0]?.status).toBe("uploading");
    });

    it("charges the quota before any byte and refuses an upload that does not fit", async () => {
      const { owner, project } = await makeProject(database.db);
      await database.db.update(projects).set({ storageQuotaBytes: 100_000 }).where(eq(projects.id, project.id));
      const lora = makeLoraSafetensors({ hidden: 1024, layers: 4 });
      const refused = await send(tusCreate(fields(project.id, lora), lora.length), owner.id);
      expect(refused.status).toBe(413);
      expect((await refused.json()).error).toMatchObject({ code: "too_large:storage", message: expect.stringMatching(/does not fit: this project uses 0 B of its 97.7 KB storage/) });
      expect(await adapterOf(project.id)).toEqual([]);
      const small = makeLoraSafetensors({ hidden: 64, layers: 1 });
      const created = await send(tusCreate(fields(project.id, small), small.length), owner.id);
      expect(created.status).toBe(201);
      expect(await usedBytes(project.id)).toBe(small.length); // charged at creation, before any byte arrived
    });

    it("fails a file that is not a LoRA with a reason, and frees what it held", async () => {
      const { owner, project } = await makeProject(database.db);
      const full = makeFullModelSafetensors();
      await uploadAll(owner.id, project.id, full);
      const [row] = await adapterOf(project.id);
      expect(row?.status).toBe("error");
      expect(row?.error).toMatch(/none of a LoRA adapter .*full model/);
      expect(await usedBytes(project.id)).toBe(0);
      expect(await storage.objects.stat(storage.uploadKey("x"))).toBeNull();

      const junk = Buffer.from("definitely not a safetensors file, just some words");
      await uploadAll(owner.id, project.id, junk, { filename: "notes.safetensors", name: "Notes" });
      const failed = (await adapterOf(project.id)).find((a) => a.name === "Notes");
      expect(failed?.error).toMatch(/not a safetensors file/);
    });

    it("fails an upload whose bytes differ from the SHA-256 the browser declared", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors();
      await uploadAll(owner.id, project.id, lora, { sha256: sha256Hex(Buffer.from("something else")) });
      const [row] = await adapterOf(project.id);
      expect(row?.status).toBe("error");
      expect(row?.error).toMatch(/The file changed on the way: the server computed SHA-256/);
      expect(await usedBytes(project.id)).toBe(0);
    });

    it("reads a zipped adapter folder through adapter_config.json", async () => {
      const { owner, project } = await makeProject(database.db);
      const zip = makeLoraZip({ rank: 4, alpha: 8, modules: ["gate_proj", "up_proj"], hidden: 128, layers: 3 });
      await uploadAll(owner.id, project.id, zip, { filename: "adapter.zip", name: "Zipped", baseModel: "ignored-by-config" });
      const [row] = await adapterOf(project.id);
      expect(row).toMatchObject({ status: "ready", format: "zip", rank: 4, alpha: 8, targetModules: ["gate_proj", "up_proj"], baseModel: "mistralai/Mistral-7B-v0.3" });

      const mixed = makeLoraZip({ rank: 4, configRank: 8 });
      await uploadAll(owner.id, project.id, mixed, { filename: "mixed.zip", name: "Mixed" });
      expect((await adapterOf(project.id)).find((a) => a.name === "Mixed")?.error).toMatch(/says rank 8, but the weights have rank 4/);
    });

    it("refuses the same bytes twice in one project, before any byte is sent", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors({ layers: 3 });
      await uploadAll(owner.id, project.id, lora);
      const again = await send(tusCreate(fields(project.id, lora, { name: "Copy" }), lora.length), owner.id);
      expect(again.status).toBe(409);
      expect((await again.json()).error.message).toMatch(/already in this project's registry as “Support tone”/);
      expect(await usedBytes(project.id)).toBe(lora.length);
    });

    it("lets editors and owners upload; viewers, commenters and strangers cannot create or touch an upload", async () => {
      const { owner, project, members } = await makeProject(database.db, ["viewer", "commenter", "editor"]);
      const stranger = await makeUser(database.db);
      const lora = makeLoraSafetensors({ layers: 5 });
      for (const who of [members.viewer, members.commenter]) {
        const res = await send(tusCreate(fields(project.id, lora), lora.length), who?.id ?? "");
        expect(res.status).toBe(403);
      }
      expect((await send(tusCreate(fields(project.id, lora), lora.length), stranger.id)).status).toBe(404);
      const created = await send(tusCreate(fields(project.id, lora), lora.length), members.editor?.id ?? "");
      expect(created.status).toBe(201);
      const id = uploadIdFrom(created);
      expect((await send(tusPatch(id, 0, lora.subarray(0, 100)), members.viewer?.id ?? "")).status).toBe(403);
      expect((await send(tusPatch(id, 0, lora.subarray(0, 100)), stranger.id)).status).toBe(404);
      expect((await send(tusDelete(id), stranger.id)).status).toBe(404);
      expect((await send(tusHead(id), owner.id)).status).toBe(200);
    });

    it("cancels an upload: bytes, row and the charged storage all go", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors({ hidden: 2048, layers: 8 });
      const id = uploadIdFrom(await send(tusCreate(fields(project.id, lora), lora.length), owner.id));
      await send(tusPatch(id, 0, lora.subarray(0, CHUNK)), owner.id);
      expect((await send(tusDelete(id), owner.id)).status).toBe(204);
      expect(await adapterOf(project.id)).toEqual([]);
      expect(await usedBytes(project.id)).toBe(0);
      expect(await storage.objects.list(id)).toEqual([]);
    });

    it("cleans up an upload abandoned halfway once it is a day old", async () => {
      const { owner, project } = await makeProject(database.db);
      const lora = makeLoraSafetensors({ hidden: 2048, layers: 8 });
      const id = uploadIdFrom(await send(tusCreate(fields(project.id, lora), lora.length), owner.id));
      await send(tusPatch(id, 0, lora.subarray(0, CHUNK)), owner.id);
      expect(await cleanAbandonedUploads(database.db, storage, { olderThanMs: 24 * 3_600_000 })).toBe(0);
      await database.db.update(adapters).set({ updatedAt: new Date(Date.now() - 25 * 3_600_000) }).where(eq(adapters.uploadId, id));
      expect(await cleanAbandonedUploads(database.db, storage, { olderThanMs: 24 * 3_600_000 })).toBe(1);
      const [row] = await adapterOf(project.id);
      expect(row?.status).toBe("error");
      expect(row?.error).toMatch(/stopped halfway and was cleaned up after a day/);
      expect(await usedBytes(project.id)).toBe(0);
      expect(await storage.objects.list(id)).toEqual([]);
      const late = await send(tusPatch(id, CHUNK, lora.subarray(CHUNK, 2 * CHUNK)), owner.id);
      expect(late.status).toBe(409);
      expect((await late.json()).error.message).toMatch(/This upload has ended: The upload stopped halfway/);
    });

    it("downloads whole or by HTTP range, to any member; delete frees the storage and the object", async () => {
      const { owner, project, members } = await makeProject(database.db, ["viewer"]);
      const stranger = await makeUser(database.db);
      const lora = makeLoraSafetensors({ layers: 6 });
      await uploadAll(owner.id, project.id, lora);
      const [row] = await adapterOf(project.id);
      const adapterId = row?.id ?? "";
      const get = (range: string | null, userId = members.viewer?.id ?? "") => downloadAdapter(database.db, storage, { adapterId, userId, range });
      const whole = await get(null);
      expect(whole.status).toBe(200);
      expect(whole.headers.get("accept-ranges")).toBe("bytes");
      expect(Buffer.from(await whole.arrayBuffer()).equals(lora)).toBe(true);
      const part = await get("bytes=8-15");
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 8-15/${lora.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(lora.subarray(8, 16))).toBe(true);
      const tail = await get("bytes=-4");
      expect(Buffer.from(await tail.arrayBuffer()).equals(lora.subarray(lora.length - 4))).toBe(true);
      const resumeFrom = await get(`bytes=${lora.length - 10}-`);
      expect(resumeFrom.headers.get("content-length")).toBe("10");
      expect((await get(`bytes=${lora.length}-`)).status).toBe(416);
      await expect(get(null, stranger.id)).rejects.toMatchObject({ code: "not_found:project" });

      expect(await usedBytes(project.id)).toBe(lora.length);
      await deleteAdapter(database.db, storage, { projectId: project.id, adapterId, actorId: owner.id });
      expect(await usedBytes(project.id)).toBe(0);
      expect(await storage.objects.stat(row?.objectKey ?? "")).toBeNull();
      expect(await adapterOf(project.id)).toEqual([]);
    });

    it("advertises the checksum extension with SHA-256", async () => {
      const res = await handleAdapterUpload(database.db, storage, { request: new Request("http://localhost/api/adapters/upload", { method: "OPTIONS" }), userId: "x" });
      expect(res.headers.get("tus-extension")).toMatch(/checksum/);
      expect(res.headers.get("tus-checksum-algorithm")).toBe("sha256");
    });
  });
}
