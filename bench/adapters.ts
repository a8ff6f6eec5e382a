/**
 * `npm run bench -- adapters`: a 1 GB LoRA uploaded over loopback through tus
 * (tus-js-client with a SHA-256 per 8 MiB chunk → the real upload handler →
 * the filesystem store, quota and registry on PGlite), against a bare Node HTTP
 * server receiving the same bytes in the same 8 MiB requests, in the same run.
 * Each server runs in a process of its own (bench/adapters/upload-server.ts),
 * so its resident memory growth during the upload is its own.
 * Targets: tus ≥ 70 % of the bare throughput; the server's RSS grows by < 100 MB.
 * BENCH_ADAPTER_MB changes the size (default 1024); BENCH_ADAPTER_PROFILE=<dir>
 * writes a V8 CPU profile of each server process there (for `--cpu-prof` reading).
 */
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { DefaultHttpStack, Upload } from "tus-js-client";
import { checksummingStack } from "@/lib/tus-checksum";

const MB = 1024 * 1024;
const CHUNK = 8 * MB;
const TARGET_MB = Number(process.env.BENCH_ADAPTER_MB ?? 1024);
const PROFILE_DIR = process.env.BENCH_ADAPTER_PROFILE;

/** A real LoRA layout of about TARGET_MB (rank 64, hidden 8192, F32 A/B pairs: 4 MiB each), written in blocks: never in memory whole. */
function writeLora(file: string): { size: number; sha256: string } {
  const pairs = Math.max(1, Math.round(TARGET_MB / 4));
  const header: Record<string, unknown> = { __metadata__: { format: "pt", lora_alpha: "128" } };
  let offset = 0;
  for (let i = 0; i < pairs; i++) {
    const base = `base_model.model.model.layers.${Math.floor(i / 4)}.self_attn.${["q_proj", "k_proj", "v_proj", "o_proj"][i % 4]}`;
    for (const [suffix, shape] of [["lora_A", [64, 8192]], ["lora_B", [8192, 64]]] as const) {
      header[`${base}.${suffix}.weight`] = { dtype: "F32", shape, data_offsets: [offset, offset + 64 * 8192 * 4] };
      offset += 64 * 8192 * 4;
    }
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.alloc(8 + Buffer.byteLength(json));
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  head.write(json, 8);
  const hash = createHash("sha256").update(head);
  const fd = openSync(file, "w");
  writeSync(fd, head);
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let written = 0; written < offset; written += CHUNK) {
    const piece = block.subarray(0, Math.min(CHUNK, offset - written));
    writeSync(fd, piece);
    hash.update(piece);
  }
  closeSync(fd);
  return { size: head.length + offset, sha256: hash.digest("hex") };
}

type Child = { process: ChildProcess; port: number; rss: number; ask: (what: string) => Promise<Record<string, unknown>> };

function startServer(mode: "tus" | "bare"): Promise<Child> {
  const child = fork(path.join(import.meta.dirname, "adapters", "upload-server.ts"), [mode], {
    execArgv: ["--import", "tsx", "--conditions=react-server", ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("message", (m: { port: number; rss: number }) => {
      const ask = (what: string) =>
        new Promise<Record<string, unknown>>((done) => {
          child.once("message", (answer: Record<string, unknown>) => done(answer));
          child.send({ ask: what });
        });
      resolve({ process: child, port: m.port, rss: m.rss, ask });
    });
  });
}

/** Let the server exit by itself (it does on disconnect), so a CPU profile is written. */
function stop(server: Child): Promise<void> {
  return new Promise((resolve) => {
    server.process.once("exit", () => resolve());
    server.process.disconnect();
  });
}

/** A tus-js-client file source over a file on disk: one chunk in memory at a time. */
function diskReader(file: string, size: number) {
  return {
    async openFile() {
      const fd = openSync(file, "r");
      return {
        size,
        async slice(start: number, end: number) {
          const length = Math.min(end, size) - start;
          const buffer = Buffer.alloc(Math.max(0, length));
          readSync(fd, buffer, 0, length, start);
          // tus-js-client reads a chunk's length from `size`, as a Blob has it
          return { value: Object.assign(buffer, { size: buffer.length }), done: end >= size };
        },
        close: () => closeSync(fd),
      };
    },
  };
}

async function viaTus(file: string, size: number, sha256: string) {
  const server = await startServer("tus");
  const { answer } = (await server.ask("info")) as { answer: { projectId: string } };
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const upload = new Upload(Buffer.alloc(0), {
      endpoint: `http://127.0.0.1:${server.port}/api/adapters/upload`,
      chunkSize: CHUNK,
      uploadSize: size,
      fileReader: diskReader(file, size),
      httpStack: checksummingStack(new DefaultHttpStack({})),
      metadata: { projectId: answer.projectId, filename: "bench.safetensors", name: "Bench", baseModel: "bench/base", sha256 },
      retryDelays: null,
      storeFingerprintForResuming: false,
      onSuccess: () => resolve(),
      onError: reject,
    });
    upload.start();
  });
  const seconds = (performance.now() - started) / 1000;
  const { peak } = (await server.ask("peak")) as { peak: number };
  const { answer: processed } = (await server.ask("processed")) as { answer: { status: string; error: string | null; rank: number; processMs: number } };
  await stop(server);
  return { seconds, rssGrowth: peak - server.rss, processed };
}

function postChunk(port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-length": body.length, "content-type": "application/octet-stream" } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`bare server said ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function viaBare(file: string, size: number) {
  const server = await startServer("bare");
  const fd = openSync(file, "r");
  const started = performance.now();
  for (let offset = 0; offset < size; offset += CHUNK) {
    const buffer = Buffer.alloc(Math.min(CHUNK, size - offset));
    readSync(fd, buffer, 0, buffer.length, offset);
    await postChunk(server.port, buffer);
  }
  const seconds = (performance.now() - started) / 1000;
  closeSync(fd);
  const { peak } = (await server.ask("peak")) as { peak: number };
  await stop(server);
  return { seconds, rssGrowth: peak - server.rss };
}

export async function run(): Promise<void> {
  const file = path.join(os.tmpdir(), `arbor-bench-lora-${process.pid}.safetensors`);
  const { size, sha256 } = writeLora(file);
  try {
    const bare = await viaBare(file, size);
    const tus = await viaTus(file, size, sha256);
    const mb = size / MB;
    const rate = (s: number) => (mb / s).toFixed(1);
    console.log(`file: ${mb.toFixed(0)} MB safetensors LoRA, ${CHUNK / MB} MiB chunks, loopback, filesystem store`);
    console.log(`bare Node HTTP server: ${bare.seconds.toFixed(2)} s, ${rate(bare.seconds)} MB/s, RSS +${(bare.rssGrowth / MB).toFixed(0)} MB`);
    console.log(`tus (checksum per chunk, quota, registry): ${tus.seconds.toFixed(2)} s, ${rate(tus.seconds)} MB/s, RSS +${(tus.rssGrowth / MB).toFixed(0)} MB`);
    console.log(`ratio tus / bare throughput: ${((bare.seconds / tus.seconds) * 100).toFixed(0)} % (target ≥ 70 %); server RSS growth ${(tus.rssGrowth / MB).toFixed(0)} MB (target < 100 MB)`);
    console.log(`processing (whole-file SHA-256, header, filing) finished ${(tus.processed.processMs / 1000).toFixed(2)} s after the last chunk → ${tus.processed.status}${tus.processed.error ? ` (${tus.processed.error})` : `, rank ${tus.processed.rank}`}`);
  } finally {
    rmSync(file, { force: true });
  }
}
