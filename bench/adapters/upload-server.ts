/**
 * The server side of bench/adapters.ts, in a process of its own so its
 * resident memory is its own: `tus` serves the real adapters upload handler
 * (server/adapters/tus-handler.ts) on a fresh database and a filesystem store;
 * `bare` is the baseline, a plain Node HTTP server appending each request body
 * to a file. Both report RSS samples to the parent over IPC.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { eq } from "drizzle-orm";
import { projects } from "@/db/schema";
import { adapterProcessingDone } from "@/server/adapters/process";
import { handleAdapterUpload } from "@/server/adapters/tus-handler";
import { openStorage } from "@/server/storage/store";
import { createTestDatabase } from "@/testing/database";
import { makeProject } from "@/testing/fixtures";

const mode = process.argv[2] === "tus" ? "tus" : "bare";
const root = await mkdtemp(path.join(os.tmpdir(), `arbor-bench-${mode}-`));
let peak = 0;
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20).unref();

function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
  return new Request(`http://127.0.0.1${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: "half",
  } as RequestInit);
}

async function send(res: ServerResponse, response: Response) {
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  if (response.body) await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), res);
  else res.end();
}

let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
const control: Record<string, () => Promise<unknown>> = {};
if (mode === "tus") {
  const database = await createTestDatabase();
  const { owner, project } = await makeProject(database.db);
  await database.db.update(projects).set({ storageQuotaBytes: 4 * 1024 ** 3 }).where(eq(projects.id, project.id));
  const storage = openStorage({ kind: "filesystem", root });
  control.info = async () => ({ projectId: project.id });
  control.processed = async () => {
    const started = performance.now();
    await adapterProcessingDone();
    const [row] = await database.db.query.adapters.findMany({ limit: 1 });
    return { status: row?.status, error: row?.error, rank: row?.rank, processMs: performance.now() - started };
  };
  handler = async (req, res) => send(res, await handleAdapterUpload(database.db, storage, { request: toWebRequest(req), userId: owner.id }));
} else {
  const file = path.join(root, "upload.bin");
  const out = createWriteStream(file);
  handler = async (req, res) => {
    for await (const part of req) if (!out.write(part)) await new Promise<void>((r) => out.once("drain", () => r()));
    res.writeHead(204).end();
  };
}

const server = createServer((req, res) => {
  handler(req, res).catch((error) => {
    console.error(error);
    res.writeHead(500).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ ready: true, port: typeof address === "object" && address ? address.port : 0, rss: process.memoryUsage().rss });
});
process.on("message", async (message: { ask: string }) => {
  if (message.ask === "peak") process.send?.({ peak, rss: process.memoryUsage().rss });
  else if (control[message.ask]) process.send?.({ answer: await control[message.ask]?.() });
});
// The parent is gone (finished, or stopped half-way): so is this server, whatever it was doing.
process.on("disconnect", () => process.exit(0));
