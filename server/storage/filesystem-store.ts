import "server-only";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { assertKey, type ByteRange, type ObjectInfo, ObjectMissingError, type ObjectStore } from "./object-store";

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === "ENOENT";
}

/**
 * The default store: files under a root directory (the data dir's `objects/`).
 * Writes go to a temporary name first and are renamed into place, so a reader
 * never sees half a file.
 */
export function filesystemStore(root: string): ObjectStore {
  const file = (key: string) => path.join(root, ...assertKey(key).split("/"));

  return {
    kind: "filesystem",
    describe: (key) => `filesystem: ${assertKey(key)}`,

    async put(key, body) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString("hex")}.partial`;
      try {
        await pipeline(body instanceof Uint8Array ? Readable.from([body]) : body, createWriteStream(temporary));
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },

    async read(key, range?: ByteRange) {
      const target = file(key);
      // Open first, so a missing object fails here rather than as a stream error later.
      try {
        await stat(target);
      } catch (error) {
        if (missing(error)) throw new ObjectMissingError(key);
        throw error;
      }
      return createReadStream(target, range ? { start: range.start, end: range.end } : {});
    },

    async stat(key) {
      try {
        const info = await stat(file(key));
        return info.isFile() ? { key, size: info.size } : null;
      } catch (error) {
        if (missing(error)) return null;
        throw error;
      }
    },

    async move(from, to) {
      const target = file(to);
      await mkdir(path.dirname(target), { recursive: true });
      try {
        await rename(file(from), target);
      } catch (error) {
        if (missing(error)) throw new ObjectMissingError(from);
        throw error;
      }
    },

    async remove(key) {
      await rm(file(key), { force: true });
    },

    async list(prefix) {
      const found: ObjectInfo[] = [];
      const walk = async (dir: string, relative: string): Promise<void> => {
        let entries: import("node:fs").Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (error) {
          if (missing(error)) return;
          throw error;
        }
        for (const entry of entries) {
          const key = relative ? `${relative}/${entry.name}` : entry.name;
          if (entry.isDirectory()) await walk(path.join(dir, entry.name), key);
          else if (entry.isFile() && key.startsWith(prefix) && !entry.name.endsWith(".partial")) {
            found.push({ key, size: (await stat(path.join(dir, entry.name))).size });
          }
        }
      };
      // Only the prefix's folder is walked, not the whole store.
      const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
      await walk(base ? path.join(root, ...base.split("/")) : root, base);
      return found.sort((a, b) => a.key.localeCompare(b.key));
    },
  };
}
