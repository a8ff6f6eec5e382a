import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { StorageConfig } from "@/server/storage/store";

/**
 * A real S3-compatible server (s3rver: the S3 REST protocol over a local
 * folder) on a free loopback port, so the S3 path runs the real AWS client and
 * the real tus S3 store — no mock of either.
 */
export async function startS3Server(bucket = "arbor-test"): Promise<{ config: StorageConfig & { kind: "s3" }; close: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "arbor-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  addMissingMultipartOperations(server, directory);
  const { port } = await server.run();
  return {
    config: {
      kind: "s3",
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      region: "us-east-1",
      // s3rver's fixed development credentials
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      forcePathStyle: true,
    },
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export async function temporaryFilesystemStorage(): Promise<{ config: StorageConfig & { kind: "filesystem" }; close: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "arbor-objects-"));
  return { config: { kind: "filesystem", root }, close: () => rm(root, { recursive: true, force: true }) };
}

type KoaContext = { method: string; path: string; query: Record<string, string | undefined>; status: number; body: unknown };
type KoaApp = { middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[] };

/**
 * s3rver 3.7 implements multipart upload (create, upload part, complete) but
 * not ListParts or AbortMultipartUpload, which @tus/s3-store calls on every
 * resumed write and on termination. These two S3 operations are added here,
 * over s3rver's own part files (`<bucket>/._S3rver_uploads/<uploadId>/<n>` and
 * `<n>.md5`), answering in S3's XML — so the tus S3 store runs unchanged.
 */
function addMissingMultipartOperations(server: S3rver, directory: string): void {
  const app = server as unknown as KoaApp;
  const handler = async (ctx: KoaContext, next: () => Promise<void>) => {
    const uploadId = ctx.query.uploadId;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    if (!uploadId || !match || !/^[0-9a-f]+$/.test(uploadId) || (ctx.method !== "GET" && ctx.method !== "DELETE")) return next();
    const [, bucket = "", key = ""] = match;
    const uploadDir = path.join(directory, bucket, "._S3rver_uploads", uploadId);
    const present = await stat(uploadDir).then(() => true, () => false);
    if (!present) {
      ctx.status = 404;
      ctx.body = { Error: { Code: "NoSuchUpload", Message: "The specified upload does not exist.", UploadId: uploadId } };
      return;
    }
    if (ctx.method === "DELETE") {
      await rm(uploadDir, { recursive: true, force: true });
      ctx.status = 204;
      ctx.body = "";
      return;
    }
    const numbers = (await readdir(uploadDir)).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
    const parts = await Promise.all(
      numbers.map(async (n) => ({
        PartNumber: n,
        ETag: `"${(await readFile(path.join(uploadDir, `${n}.md5`), "utf8")).trim()}"`,
        Size: (await stat(path.join(uploadDir, String(n)))).size,
      })),
    );
    ctx.body = { ListPartsResult: { Bucket: bucket, Key: decodeURIComponent(key), UploadId: uploadId, IsTruncated: false, Part: parts } };
  };
  // After s3rver's logger and its XML encoder (which turns this plain object into XML), before its router.
  app.middleware.splice(2, 0, handler);
}
