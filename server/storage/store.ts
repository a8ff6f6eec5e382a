import "server-only";
import path from "node:path";
import { FileStore } from "@tus/file-store";
import { S3Store } from "@tus/s3-store";
import type { DataStore } from "@tus/utils";
import { resolveDataDir } from "@/db/data-dir";
import { getEnv } from "@/server/env";
import { filesystemStore } from "./filesystem-store";
import type { ObjectStore } from "./object-store";
import { type S3StoreConfig, s3ClientConfig, s3Store } from "./s3-store";

/** A tus upload left unfinished this long is abandoned (server/adapters/cleanup.ts removes it). */
export const ABANDONED_UPLOAD_MS = 24 * 3_600_000;

/** tus sends parts to S3 in 8 MiB pieces: over S3's 5 MiB minimum, small enough to keep memory flat. */
const S3_PART_BYTES = 8 * 1024 * 1024;

export type StorageConfig = { kind: "filesystem"; root: string } | ({ kind: "s3" } & S3StoreConfig);

/**
 * The object store and the tus upload store over the same place. A tus upload
 * is written at the key that is its id (`upload-…`), so a finished upload is an
 * object the registry can move to its final key; the tus bookkeeping beside it
 * (`<id>.json` on the filesystem, `<id>.info` / `<id>.part` on S3) is removed
 * by `forgetUpload`.
 */
export type Storage = {
  objects: ObjectStore;
  uploads: DataStore;
  /** the object a finished tus upload left */
  uploadKey(uploadId: string): string;
  /** remove an upload's bytes and bookkeeping, finished or not */
  forgetUpload(uploadId: string): Promise<void>;
};

export function storageConfigFromEnv(): StorageConfig {
  const env = getEnv();
  if (env.S3_ENDPOINT && env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY) {
    return {
      kind: "s3",
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE === "1",
    };
  }
  return { kind: "filesystem", root: resolveDataDir("objects") };
}

export function openStorage(config: StorageConfig): Storage {
  if (config.kind === "filesystem") {
    const objects = filesystemStore(config.root);
    const uploads = new FileStore({ directory: config.root, expirationPeriodInMilliseconds: ABANDONED_UPLOAD_MS });
    return {
      objects,
      uploads,
      uploadKey: (id) => id,
      async forgetUpload(id) {
        await objects.remove(id);
        await objects.remove(`${id}.json`);
      },
    };
  }
  const objects = s3Store(config);
  const uploads = new S3Store({
    partSize: S3_PART_BYTES,
    expirationPeriodInMilliseconds: ABANDONED_UPLOAD_MS,
    // Object tags (for bucket lifecycle rules) are not spoken by every S3-compatible store; the clean-up job removes abandoned uploads itself.
    useTags: false,
    s3ClientConfig: { ...s3ClientConfig(config), bucket: config.bucket },
  });
  return {
    objects,
    uploads,
    uploadKey: (id) => id,
    async forgetUpload(id) {
      // An unfinished multipart upload holds parts S3 keeps (and bills) until aborted.
      try {
        await uploads.remove(id);
      } catch (error) {
        // Gone already, or finished (its multipart upload is complete): only the objects below are left.
        const code = (error as { status_code?: number; name?: string }) ?? {};
        if (code.status_code !== 404 && code.name !== "NoSuchUpload") throw error;
      }
      for (const key of [id, `${id}.info`, `${id}.part`]) await objects.remove(key);
    },
  };
}

const holder = globalThis as unknown as { __arborStorage?: Storage };

/** The process's storage, chosen once from the environment (Next.js may load this module more than once). */
export function getStorage(): Storage {
  holder.__arborStorage ??= openStorage(storageConfigFromEnv());
  return holder.__arborStorage;
}

export function rootForTests(dataDir: string): StorageConfig {
  return { kind: "filesystem", root: path.join(dataDir, "objects") };
}
