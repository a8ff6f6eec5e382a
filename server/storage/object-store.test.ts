import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { Upload } from "@tus/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, temporaryFilesystemStorage } from "@/testing/s3-server";
import { ObjectMissingError } from "./object-store";
import { openStorage, type Storage } from "./store";

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** The same suite for both stores: whatever passes on the filesystem must pass on S3. */
for (const kind of ["filesystem", "s3"] as const) {
  describe(`object store: ${kind}`, () => {
    let storage: Storage;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const started = kind === "s3" ? await startS3Server() : await temporaryFilesystemStorage();
      storage = openStorage(started.config);
      close = started.close;
    });
    afterAll(() => close());

    it("writes, reads, ranges, moves and removes an object", async () => {
      const { objects } = storage;
      const body = randomBytes(100_000);
      await objects.put("adapters/p1/a.safetensors", Readable.from([body]), body.length);
      expect(await objects.stat("adapters/p1/a.safetensors")).toEqual({ key: "adapters/p1/a.safetensors", size: 100_000 });
      expect((await bytesOf(await objects.read("adapters/p1/a.safetensors"))).equals(body)).toBe(true);
      const range = await bytesOf(await objects.read("adapters/p1/a.safetensors", { start: 10, end: 19 }));
      expect(range.equals(body.subarray(10, 20))).toBe(true);

      await objects.move("adapters/p1/a.safetensors", "adapters/p2/a.safetensors");
      expect(await objects.stat("adapters/p1/a.safetensors")).toBeNull();
      expect((await objects.list("adapters/p2/")).map((o) => o.key)).toEqual(["adapters/p2/a.safetensors"]);

      await objects.remove("adapters/p2/a.safetensors");
      await objects.remove("adapters/p2/a.safetensors"); // idempotent
      expect(await objects.stat("adapters/p2/a.safetensors")).toBeNull();
      await expect(objects.read("adapters/p2/a.safetensors")).rejects.toBeInstanceOf(ObjectMissingError);
      await expect(objects.move("adapters/p2/a.safetensors", "x")).rejects.toBeInstanceOf(ObjectMissingError);
    });

    it("lists only what is under the prefix", async () => {
      await storage.objects.put("list/a/one", new TextEncoder().encode("1"));
      await storage.objects.put("list/a/two", new TextEncoder().encode("22"));
      await storage.objects.put("list/b/three", new TextEncoder().encode("333"));
      expect(await storage.objects.list("list/a/")).toEqual([
        { key: "list/a/one", size: 1 },
        { key: "list/a/two", size: 2 },
      ]);
      expect(await text(await storage.objects.read("list/b/three"))).toBe("333");
    });

    it("refuses keys that could leave the store", async () => {
      for (const bad of ["../etc/passwd", "a/../../b", "/abs", "A/upper", "a//b", ""]) {
        await expect(storage.objects.put(bad, new Uint8Array(1))).rejects.toThrow(/Not a valid object key/);
      }
      expect(storage.objects.describe("adapters/x")).toBe(kind === "s3" ? "s3://arbor-test/adapters/x" : "filesystem: adapters/x");
    });

    it("keeps a tus upload written in parts, then hands it over as an object", async () => {
      // 12 MiB in three writes: over S3's 5 MiB part minimum, so the S3 store really goes multipart.
      const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024), randomBytes(2 * 1024 * 1024)];
      const whole = Buffer.concat(parts);
      const id = `upload-${randomBytes(8).toString("hex")}`;
      await storage.uploads.create(new Upload({ id, size: whole.length, offset: 0 }));
      let offset = 0;
      for (const part of parts) offset = await storage.uploads.write(Readable.from([part]), id, offset);
      expect(offset).toBe(whole.length);
      expect((await storage.uploads.getUpload(id)).offset).toBe(whole.length);

      await storage.objects.move(storage.uploadKey(id), "adapters/p3/b.safetensors");
      await storage.forgetUpload(id);
      const stored = await bytesOf(await storage.objects.read("adapters/p3/b.safetensors"));
      expect(createHash("sha256").update(stored).digest("hex")).toBe(createHash("sha256").update(whole).digest("hex"));
      expect((await storage.objects.list("upload-")).length).toBe(0);
    });

    it("forgets an unfinished upload completely", async () => {
      const id = `upload-${randomBytes(8).toString("hex")}`;
      await storage.uploads.create(new Upload({ id, size: 10 * 1024 * 1024, offset: 0 }));
      await storage.uploads.write(Readable.from([randomBytes(6 * 1024 * 1024)]), id, 0);
      await storage.forgetUpload(id);
      expect((await storage.objects.list(id)).length).toBe(0);
      await expect(storage.uploads.getUpload(id)).rejects.toMatchObject({ status_code: 404 });
    });
  });
}
