import "server-only";
import type { Readable } from "node:stream";

/** An object's size, as the store reports it. */
export type ObjectInfo = { key: string; size: number };

/** Inclusive byte range, as HTTP's Range header means it. */
export type ByteRange = { start: number; end: number };

/**
 * Where large files live (adapters today): never in Postgres rows. One small
 * interface with two implementations, chosen by the environment
 * (server/storage/store.ts), so every caller — uploads, downloads, handover,
 * clean-up — is the same code on the filesystem and on S3.
 * Keys are relative paths of lower-case letters, digits, `-`, `_`, `.` and `/`.
 * @see docs/adapters.md#storage
 */
export interface ObjectStore {
  readonly kind: "filesystem" | "s3";
  /** Where a key lives, for people ("filesystem: adapters/…", "s3://bucket/adapters/…"). */
  describe(key: string): string;
  /** Write a whole object; an existing one is replaced. A stream is never held in memory (S3 needs its `size`). */
  put(key: string, body: Readable | Uint8Array, size?: number): Promise<void>;
  /** The bytes, or a range of them. Throws ObjectMissingError when there is no such object. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<ObjectInfo | null>;
  /** Move an object to a new key (an upload becoming an adapter). */
  move(from: string, to: string): Promise<void>;
  /** Idempotent: removing what is not there is not an error. */
  remove(key: string): Promise<void>;
  list(prefix: string): Promise<ObjectInfo[]>;
}

export class ObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`No stored object at ${key}`);
  }
}

const KEY = /^[a-z0-9_.-]+(\/[a-z0-9_.-]+)*$/;

/** Refuse keys that could climb out of the store's root or mean different things on the two stores. */
export function assertKey(key: string): string {
  if (!KEY.test(key) || key.split("/").some((part) => part === "." || part === "..")) throw new Error(`Not a valid object key: ${key}`);
  return key;
}
