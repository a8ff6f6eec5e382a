import "server-only";
import type { Db } from "@/db/client";
import { AppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";
import { formatBytes } from "@/lib/bytes";
import { FILE_CAP_BYTES } from "./limits";
import { kickProcessing } from "./process";
import { addUploadedFile } from "./sources";
import { storageOf } from "./storage";

/** Room for multipart boundaries and part headers around a file. */
const MULTIPART_SLACK = 64 * 1024;
const MAX_FILES_PER_REQUEST = 10;

export type UploadOutcome = { name: string; sourceId?: string; duplicate?: boolean; error?: { code: string; message: string } };

/**
 * Handle one multipart upload for the Route Handler (tRPC does not carry file
 * bodies). Role first; then the declared Content-Length against the per-file
 * cap and the room left; then the body is counted as it streams in and cut off
 * past the limit — so no byte is kept, or even fully buffered, beyond the caps.
 */
export async function handleUpload(db: Db, args: { projectId: string; userId: string; request: Request }): Promise<UploadOutcome[]> {
  await requireProjectRole(db, { projectId: args.projectId, userId: args.userId, minimum: "editor" });
  const contentType = args.request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("bad_request:content_type", "Send files as multipart/form-data (field name: file).");
  }
  const use = await storageOf(db, { projectId: args.projectId });
  const room = Math.max(0, use.quotaBytes - use.usedBytes);
  const limit = Math.min(FILE_CAP_BYTES, room) + MULTIPART_SLACK;
  const tooBig = () =>
    room < FILE_CAP_BYTES
      ? new AppError(
          "too_large:storage",
          `This upload does not fit: the project uses ${formatBytes(use.usedBytes)} of its ${formatBytes(use.quotaBytes)} storage, ${formatBytes(room)} left. Delete sources you no longer need, or ask the owner for more space.`,
        )
      : new AppError("too_large:file_size", `This file is larger than the ${formatBytes(FILE_CAP_BYTES)} limit per file.`);
  const declared = Number(args.request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooBig();
  if (!args.request.body) throw new AppError("bad_request:empty_file", "The upload was empty.");

  let received = 0;
  const counted = args.request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(part, controller) {
        received += part.byteLength;
        if (received > limit) controller.error(tooBig());
        else controller.enqueue(part);
      },
    }),
  );
  let form: FormData;
  try {
    form = await new Response(counted, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (received > limit) throw tooBig();
    throw new AppError("bad_request:multipart", "The upload could not be read. Try again.");
  }
  const files = form.getAll("file").filter((f): f is File => typeof f !== "string");
  if (files.length === 0) throw new AppError("bad_request:no_file", "Choose at least one file to upload.");
  if (files.length > MAX_FILES_PER_REQUEST) throw new AppError("bad_request:too_many_files", `Upload at most ${MAX_FILES_PER_REQUEST} files at a time.`);

  const outcomes: UploadOutcome[] = [];
  for (const file of files) {
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { source, duplicate } = await addUploadedFile(db, { projectId: args.projectId, userId: args.userId, filename: file.name, bytes });
      outcomes.push({ name: file.name, sourceId: source.id, duplicate });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcomes.push({ name: file.name, error: error.toJSON() });
    }
  }
  if (outcomes.some((o) => o.sourceId)) kickProcessing(db);
  return outcomes;
}
