import "server-only";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { assertKey, type ByteRange, type ObjectInfo, ObjectMissingError, type ObjectStore } from "./object-store";

export type S3StoreConfig = { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };

export function s3ClientConfig(config: S3StoreConfig): S3ClientConfig {
  return {
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Self-hosted stores (MinIO, s3rver) do not all speak the newer default checksums.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
}

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || error instanceof NotFound || (error as { name?: string })?.name === "NotFound" || (error as { name?: string })?.name === "NoSuchKey";
}

/** Any S3-compatible service, by S3_ENDPOINT / S3_BUCKET and credentials (server/env.ts). */
export function s3Store(config: S3StoreConfig, client = new S3Client(s3ClientConfig(config))): ObjectStore {
  const Bucket = config.bucket;

  return {
    kind: "s3",
    describe: (key) => `s3://${Bucket}/${assertKey(key)}`,

    async put(key, body, size) {
      // A stream goes up as it is read (PutObject needs its length); large uploads arrive through tus's multipart store instead.
      if (!(body instanceof Uint8Array) && size === undefined) throw new Error("An S3 put of a stream needs its size");
      await client.send(
        new PutObjectCommand({ Bucket, Key: assertKey(key), Body: body instanceof Uint8Array ? Buffer.from(body) : body, ContentLength: body instanceof Uint8Array ? body.byteLength : size }),
      );
    },

    async read(key, range?: ByteRange) {
      try {
        const result = await client.send(
          new GetObjectCommand({ Bucket, Key: assertKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        );
        if (!(result.Body instanceof Readable)) throw new Error("The S3 client returned a body that is not a Node stream");
        return result.Body;
      } catch (error) {
        if (isMissing(error)) throw new ObjectMissingError(key);
        throw error;
      }
    },

    async stat(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: assertKey(key) }));
        return { key, size: Number(head.ContentLength ?? 0) };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async move(from, to) {
      try {
        await client.send(new CopyObjectCommand({ Bucket, Key: assertKey(to), CopySource: `${Bucket}/${assertKey(from)}` }));
      } catch (error) {
        if (isMissing(error)) throw new ObjectMissingError(from);
        throw error;
      }
      await client.send(new DeleteObjectCommand({ Bucket, Key: from }));
    },

    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: assertKey(key) }));
    },

    async list(prefix) {
      const found: ObjectInfo[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
        for (const item of page.Contents ?? []) if (item.Key) found.push({ key: item.Key, size: Number(item.Size ?? 0) });
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return found.sort((a, b) => a.key.localeCompare(b.key));
    },
  };
}
