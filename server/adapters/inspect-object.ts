import "server-only";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { createInflateRaw, inflateRawSync } from "node:zlib";
import type { ObjectStore } from "@/server/storage/object-store";
import { headerLength, type LoraFacts, NotALoraError, readAdapterConfig, readLoraHeader } from "./lora-header";

/** Read a stream until `bytes` have arrived (or it ends), then let it go: only a header is ever held. */
async function firstBytes(stream: Readable, bytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  for await (const part of stream) {
    const buffer = Buffer.isBuffer(part) ? part : Buffer.from(part);
    parts.push(buffer);
    have += buffer.length;
    if (have >= bytes) break;
  }
  stream.destroy();
  return Buffer.concat(parts).subarray(0, bytes);
}

async function readRange(store: ObjectStore, key: string, start: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  return firstBytes(await store.read(key, { start, end: start + length - 1 }), length);
}

/** The whole object's SHA-256, streamed: memory stays flat whatever the size. */
export async function sha256Of(store: ObjectStore, key: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const part of await store.read(key)) hash.update(part);
  return hash.digest("hex");
}

/** What the bytes of a safetensors file say, through a reader of its (uncompressed) bytes. */
async function inspectSafetensors(read: (start: number, length: number) => Promise<Buffer>, fileBytes: number): Promise<LoraFacts> {
  const length = headerLength(await read(0, 8));
  if (8 + length > fileBytes) throw new NotALoraError("This safetensors file is cut off inside its header. Upload the complete file.");
  const header = await read(8, length);
  return readLoraHeader(header.toString("utf8"), { fileBytes, headerBytes: length });
}

export async function inspectSafetensorsObject(store: ObjectStore, key: string, fileBytes: number): Promise<LoraFacts> {
  return inspectSafetensors((start, length) => readRange(store, key, start, length), fileBytes);
}

type ZipEntry = { name: string; method: number; compressedSize: number; size: number; localOffset: number };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The archive's table of contents, from its end: two small range reads, never the whole file. */
async function zipEntries(store: ObjectStore, key: string, fileBytes: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(fileBytes, 22 + 65_535);
  const tail = await readRange(store, key, fileBytes - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new NotALoraError("This .zip archive is damaged: its table of contents is missing.");
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new NotALoraError("This archive uses ZIP64, which Arbor does not read yet; upload the .safetensors file itself.");
  if (cdOffset + cdSize > fileBytes) throw new NotALoraError("This .zip archive is damaged: its table of contents points past its end.");
  const cd = await readRange(store, key, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count && p + 46 <= cd.length; n++) {
    if (cd.readUInt32LE(p) !== CENTRAL) throw new NotALoraError("This .zip archive is damaged: its table of contents is unreadable.");
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    entries.push({
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      name: cd.subarray(p + 46, p + 46 + nameLength).toString("utf8"),
      localOffset: cd.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

async function entryDataStart(store: ObjectStore, key: string, entry: ZipEntry): Promise<number> {
  const local = await readRange(store, key, entry.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw new NotALoraError(`This .zip archive is damaged at ${entry.name}.`);
  return entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
}

/** The first `length` uncompressed bytes of an entry (stored or deflated), streaming only as far as needed. */
async function entryPrefix(store: ObjectStore, key: string, entry: ZipEntry, dataStart: number, length: number): Promise<Buffer> {
  if (entry.method === 0) return readRange(store, key, dataStart, Math.min(length, entry.size));
  if (entry.method !== 8) throw new NotALoraError(`${entry.name} in the archive is compressed in a way Arbor does not read (method ${entry.method}); use ordinary zip compression.`);
  const raw = await store.read(key, { start: dataStart, end: dataStart + Math.max(entry.compressedSize, 1) - 1 });
  return firstBytes(raw.pipe(createInflateRaw()), Math.min(length, entry.size));
}

const baseName = (name: string) => name.split("/").pop() ?? name;

/**
 * A folder archive (.zip) of a PEFT adapter: adapter_config.json describes the
 * LoRA, and the adapter's .safetensors header must agree that it is one. The
 * archive is kept whole; only the headers are read.
 */
export async function inspectZipObject(store: ObjectStore, key: string, fileBytes: number): Promise<LoraFacts> {
  const entries = (await zipEntries(store, key, fileBytes)).filter((e) => !e.name.endsWith("/") && !e.name.startsWith("__MACOSX/"));
  const configEntry = entries.find((e) => baseName(e.name) === "adapter_config.json");
  if (!configEntry) throw new NotALoraError("The archive has no adapter_config.json. Zip the adapter folder as saved by PEFT (adapter_config.json and adapter_model.safetensors).");
  const weights = entries.filter((e) => e.name.endsWith(".safetensors"));
  const weightsEntry = weights.find((e) => baseName(e.name) === "adapter_model.safetensors") ?? (weights.length === 1 ? weights[0] : undefined);
  if (!weightsEntry) {
    throw new NotALoraError(
      weights.length === 0
        ? "The archive has no .safetensors file (PEFT saves adapter_model.safetensors). Older .bin adapters are not accepted: convert them to safetensors first."
        : "The archive has several .safetensors files and none is called adapter_model.safetensors, so Arbor cannot tell which is the adapter.",
    );
  }
  if (configEntry.size > 1024 * 1024) throw new NotALoraError("The archive's adapter_config.json is larger than 1 MB; that is not a PEFT config.");
  const configStart = await entryDataStart(store, key, configEntry);
  const configRaw = await readRange(store, key, configStart, configEntry.compressedSize);
  const configText = (configEntry.method === 8 ? inflateRawSync(configRaw) : configRaw).toString("utf8");
  const config = readAdapterConfig(configText);

  const weightsStart = await entryDataStart(store, key, weightsEntry);
  const facts = await inspectSafetensors(async (start, length) => {
    const prefix = await entryPrefix(store, key, weightsEntry, weightsStart, start + length);
    return prefix.subarray(start, start + length);
  }, weightsEntry.size);
  if (config.rank !== null && config.rank !== facts.rank) {
    throw new NotALoraError(`adapter_config.json says rank ${config.rank}, but the weights have rank ${facts.rank}; the archive mixes two adapters.`);
  }
  return {
    ...facts,
    alpha: config.alpha ?? facts.alpha,
    targetModules: config.targetModules?.length ? [...config.targetModules].sort() : facts.targetModules,
    baseModel: config.baseModel ?? facts.baseModel,
  };
}
