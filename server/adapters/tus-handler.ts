import "server-only";
import { createHash } from "node:crypto";
import { Server } from "@tus/server";
import type { Db } from "@/db/client";
import { AppError, errorBody, isAppError } from "@/server/errors";
import type { Storage } from "@/server/storage/store";
import { kickAdapterProcessing } from "./process";
import { ADAPTER_CAP_BYTES } from "./quota";
import { authorizeUpload, beginUpload, discardUpload, markUploaded, validateDeclaration } from "./uploads";

/** Where the Route Handler is mounted (app/api/adapters/upload/[[...id]]/route.ts). */
export const UPLOAD_PATH = "/api/adapters/upload";

/** The browser sends 8 MiB chunks; a chunk is held in memory while its checksum is checked, so anything larger is refused. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** tus checksum extension: the status for a chunk whose checksum does not match. */
const CHECKSUM_MISMATCH = 460;

type Caller = { db: Db; storage: Storage; userId: string };
const callers = new WeakMap<Request, Caller>();
const servers = new WeakMap<Storage, Server>();

function tusError(error: AppError): { status_code: number; body: string } {
  return { status_code: error.status, body: JSON.stringify(errorBody(error)) };
}

function json(status: number, error: AppError, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorBody(error)), {
    status,
    headers: { "Content-Type": "application/json", "Tus-Resumable": "1.0.0", ...extra },
  });
}

/** tus's own refusals, in Arbor's vocabulary and words a person can act on. */
function explainTusRefusal(status: number, body: string): AppError | null {
  if (status === 409) return new AppError("conflict:upload_offset", "That chunk is out of order: it does not start where the server's copy ends. The upload resumes from the server's offset.");
  if (status === 413) return new AppError("too_large:upload_length", "More bytes arrived than the upload declared. Nothing past the declared length was kept.");
  if (status === 404 || status === 410) return new AppError("not_found:upload", "This upload no longer exists on the server. Start it again.");
  if (status === 400 && /length/i.test(body)) return new AppError("bad_request:upload_length", "The upload must declare its length up front (Upload-Length).");
  return null;
}

function serverFor(storage: Storage): Server {
  const existing = servers.get(storage);
  if (existing) return existing;
  const server = new Server({
    path: UPLOAD_PATH,
    datastore: storage.uploads,
    relativeLocation: true,
    maxSize: ADAPTER_CAP_BYTES,
    namingFunction: () => `upload-${createHash("sha256").update(crypto.randomUUID()).digest("hex").slice(0, 32)}`,
    async onUploadCreate(req, upload) {
      const caller = callers.get(req as unknown as Request);
      if (!caller) throw tusError(new AppError("unauthorized:session", "Please sign in first."));
      try {
        if (upload.size === undefined) throw new AppError("bad_request:upload_length", "The upload must declare its length up front (Upload-Length).");
        const declaration = validateDeclaration(upload.metadata ?? {});
        await beginUpload(caller.db, { userId: caller.userId, uploadId: upload.id, size: upload.size, declaration });
      } catch (error) {
        if (isAppError(error)) throw tusError(error);
        throw error;
      }
      return {};
    },
    async onUploadFinish(req, upload) {
      const caller = callers.get(req as unknown as Request);
      if (!caller) throw tusError(new AppError("unauthorized:session", "Please sign in first."));
      const adapter = await markUploaded(caller.db, { uploadId: upload.id });
      if (adapter) void kickAdapterProcessing(caller.db, caller.storage, adapter.id);
      return adapter ? { headers: { "X-Adapter-Id": adapter.id } } : {};
    },
    onResponseError(_req, error) {
      const status = "status_code" in error ? error.status_code : 500;
      const body = "body" in error ? error.body : "";
      if (body.startsWith("{")) return undefined; // already ours (from a hook)
      const mapped = explainTusRefusal(status, body);
      return mapped ? { status_code: status, body: JSON.stringify(errorBody(mapped)) } : undefined;
    },
  });
  servers.set(storage, server);
  return server;
}

function uploadIdOf(request: Request): string | null {
  const rest = new URL(request.url).pathname.slice(UPLOAD_PATH.length).replace(/^\/+|\/+$/g, "");
  return rest ? rest : null;
}

/**
 * Read one chunk, refusing it once it passes the cap (before it is all in
 * memory). When the request declares its length (tus clients do), the bytes
 * go straight into one buffer of that size: one copy, no list of pieces to
 * join, which is most of what a chunk costs besides its hash.
 */
async function readChunk(request: Request): Promise<Buffer> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  const tooBig = () => new AppError("too_large:chunk", `Send the file in chunks of at most ${MAX_CHUNK_BYTES / 1024 / 1024} MB.`);
  if (declared > MAX_CHUNK_BYTES) throw tooBig();
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const into = Number.isSafeInteger(declared) && declared >= 0 ? takeBuffer().subarray(0, declared) : null;
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const next = size + value.byteLength;
    // More than declared is refused like more than the cap: nothing is kept.
    if (next > MAX_CHUNK_BYTES || (into && next > into.length)) {
      await reader.cancel();
      throw next > MAX_CHUNK_BYTES ? tooBig() : new AppError("bad_request:chunk_length", "The chunk is longer than its Content-Length. It was not kept; the upload sends it again.");
    }
    if (into) into.set(value, size);
    else parts.push(value);
    size = next;
  }
  return into ? into.subarray(0, size) : Buffer.concat(parts, size);
}

/**
 * Chunk buffers are reused: a fresh 8 MiB buffer per request made the
 * garbage collector (external memory) most of an upload's server time and
 * held hundreds of MB. A buffer returns here only after tus has written it
 * (or the request was refused), never while anything still reads it.
 */
const spare: Buffer[] = [];
const SPARE_BUFFERS = 4;
function takeBuffer(): Buffer {
  return spare.pop() ?? Buffer.allocUnsafe(MAX_CHUNK_BYTES);
}
function giveBack(bytes: Buffer): void {
  if (bytes.buffer.byteLength === MAX_CHUNK_BYTES && bytes.byteOffset === 0 && spare.length < SPARE_BUFFERS) spare.push(Buffer.from(bytes.buffer, 0, MAX_CHUNK_BYTES));
}

/** The checked bytes as a request body tus can stream, without the copy a byte-array body costs (fetch copies it). */
function bodyOf(bytes: Buffer): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * The checksum extension (tus 1.0 "checksum"), which @tus/server does not
 * implement: every PATCH carries `Upload-Checksum: sha256 <base64>` of its
 * body; a chunk whose bytes do not match is refused with 460 before any of it
 * reaches the store, so the server's copy never holds a corrupted chunk.
 */
function verifyChunk(request: Request, body: Buffer): AppError | null {
  const header = request.headers.get("upload-checksum");
  if (!header) return new AppError("bad_request:checksum_missing", "Every chunk must carry its SHA-256 (Upload-Checksum: sha256 <base64>).");
  const [algorithm, expected] = header.trim().split(/\s+/);
  if (algorithm?.toLowerCase() !== "sha256" || !expected) {
    return new AppError("bad_request:checksum_algorithm", "Only SHA-256 chunk checksums are accepted (Upload-Checksum: sha256 <base64>).");
  }
  const actual = createHash("sha256").update(body).digest("base64");
  if (actual !== expected) return new AppError("bad_request:checksum_mismatch", "A chunk arrived damaged (its SHA-256 does not match). It was not kept; the upload sends it again.");
  return null;
}

/**
 * One tus request for the adapters upload endpoint, for a signed-in person
 * (the Route Handler has checked the session). Creation goes through tus's
 * hooks (role, duplicate, quota — uploads.ts); every later request is
 * authorised here first, on the upload's own project; termination is ours
 * (it also releases the quota).
 */
export async function handleAdapterUpload(db: Db, storage: Storage, { request, userId }: { request: Request; userId: string }): Promise<Response> {
  const server = serverFor(storage);
  const method = request.method.toUpperCase();
  const uploadId = uploadIdOf(request);
  try {
    if (method === "OPTIONS") {
      const response = await server.handleWeb(request);
      const headers = new Headers(response.headers);
      headers.set("Tus-Extension", [headers.get("Tus-Extension"), "checksum"].filter(Boolean).join(","));
      headers.set("Tus-Checksum-Algorithm", "sha256");
      return new Response(null, { status: response.status, headers });
    }
    if (method === "POST") {
      if (uploadId) return json(405, new AppError("bad_request:method", "Create uploads at the endpoint itself."));
      // Creation-with-upload would skip the chunk checksum: bytes come only by PATCH.
      if (request.headers.get("content-type") === "application/offset+octet-stream") {
        return json(400, new AppError("bad_request:creation_with_upload", "Create the upload first, then send its bytes as checksummed PATCH requests."));
      }
      callers.set(request, { db, storage, userId });
      return await server.handleWeb(request);
    }
    if (!uploadId) return json(404, new AppError("not_found:upload", "Name the upload in the path."));
    await authorizeUpload(db, { uploadId, userId });
    if (method === "DELETE") {
      await discardUpload(db, storage, { uploadId });
      return new Response(null, { status: 204, headers: { "Tus-Resumable": "1.0.0" } });
    }
    if (method === "PATCH") {
      const body = await readChunk(request);
      const refused = verifyChunk(request, body);
      if (refused) {
        giveBack(body);
        return json(refused.code === "bad_request:checksum_mismatch" ? CHECKSUM_MISMATCH : 400, refused);
      }
      const replay = new Request(request.url, { method: "PATCH", headers: request.headers, body: bodyOf(body), duplex: "half" } as RequestInit);
      callers.set(replay, { db, storage, userId });
      const response = await server.handleWeb(replay);
      // Written (or refused) by now only when tus read the whole body; otherwise the buffer is left to the collector.
      if (response.status === 204) giveBack(body);
      return response;
    }
    return await server.handleWeb(request);
  } catch (error) {
    if (isAppError(error)) return json(error.status, error);
    throw error;
  }
}
