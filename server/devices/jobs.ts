import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "@/db/client";
import { type ChatTurn, estimateTokens, UpstreamError } from "@/server/ai/types";
import { AppError } from "@/server/errors";
import type { DeviceIdentity } from "./authenticate";
import { jobTopic, waitFor, wake, deviceTopic } from "./bus";
import { recordDeviceRefusal } from "./refusals";

/*
 * A local-tier answer through a device (docs/devices.md#the-tunnel): the
 * answer writes a `device_jobs` row; the device's tunnel connection (on any
 * instance) claims it and sends it down; the agent runs it against the
 * machine's model server and POSTs the text back in numbered batches; the
 * answer reads the new text from the row and writes it into the stream
 * ledger like any other tier's. Stop sets `stop_requested_at`, which the
 * tunnel passes down to the agent.
 */

/** A device that has not taken its job by then is treated as gone (the agent model's connect timeout is 30 s; the tunnel is already open). */
export const PICKUP_TIMEOUT_MS = 15_000;
/** No text for this long from a device that took a job: it is stuck (the agent model's read timeout). */
export const READ_TIMEOUT_MS = 60_000;
/** Without an in-process wake-up, the answer looks for new text this often (another instance holds the tunnel). */
const POLL_MS = 100;

export type DeviceJobRequest = { model: string | null; system: string; messages: ChatTurn[]; maxTokens: number; temperature: number | null };

type JobRow = { state: string; piece: string; length: number; model: string | null; tokens_in: number | null; tokens_out: number | null; error: string | null; picked: boolean; idle_ms: number };

/**
 * Sends one answer to a device and streams its text into `onText` until the
 * agent says done, fails, or the signal (Stop) aborts — then the device is
 * told to stop and what was produced so far is the answer.
 */
export async function streamFromDevice(
  db: Db,
  call: DeviceJobRequest & { deviceId: string; projectId: string; streamId: string; signal: AbortSignal; onText: (text: string) => void },
): Promise<{ tokensIn: number; tokensOut: number; model: string }> {
  const request = { model: call.model, system: call.system, messages: call.messages, maxTokens: call.maxTokens, temperature: call.temperature };
  const [job] = await queryRows<{ id: string }>(
    db,
    sql`insert into device_jobs (device_id, project_id, stream_id, request) values (${call.deviceId}, ${call.projectId}, ${call.streamId}, ${JSON.stringify(request)}::jsonb) returning id`,
  );
  if (!job) throw new Error("device job insert returned nothing");
  wake(deviceTopic(call.deviceId));
  const estimateIn = estimateTokens(call.system + call.messages.map((m) => m.content).join("\n"));
  let received = 0;
  let text = "";
  const started = Date.now();
  for (;;) {
    if (call.signal.aborted) {
      await db.execute(sql`update device_jobs set stop_requested_at = coalesce(stop_requested_at, now()) where id = ${job.id}`);
      wake(deviceTopic(call.deviceId));
      return { tokensIn: estimateIn, tokensOut: estimateTokens(text), model: call.model ?? "device" };
    }
    const [row] = await queryRows<JobRow>(
      db,
      sql`select state, substr(output, ${received + 1}) as piece, length(output) as length, model, tokens_in, tokens_out, error,
                 sent_at is not null as picked,
                 (extract(epoch from now() - coalesce(first_token_at, sent_at, created_at)) * 1000)::int as idle_ms
          from device_jobs where id = ${job.id}`,
    );
    if (!row) throw new UpstreamError("The device job disappeared (the device was removed).", "device:gone", { tokensIn: estimateIn, tokensOut: estimateTokens(text) });
    if (row.piece) {
      received = Number(row.length);
      text += row.piece;
      call.onText(row.piece);
    }
    const usage = { tokensIn: row.tokens_in ?? estimateIn, tokensOut: row.tokens_out ?? estimateTokens(text) };
    if (row.state === "done" || row.state === "stopped") return { ...usage, model: row.model ?? call.model ?? "device" };
    if (row.state === "failed") throw new UpstreamError(`The device failed: ${row.error ?? "no reason given"}`, "device:failed", usage);
    if (!row.picked && Date.now() - started > PICKUP_TIMEOUT_MS) {
      await db.execute(sql`update device_jobs set state = 'failed', error = 'not picked up', finished_at = now() where id = ${job.id} and state = 'queued'`);
      throw new UpstreamError("The device did not take the question (its tunnel is not open).", "device:unreachable", usage);
    }
    if (row.picked && Number(row.idle_ms) > READ_TIMEOUT_MS && !row.piece) {
      await db.execute(sql`update device_jobs set state = 'failed', error = 'read timeout', finished_at = now() where id = ${job.id} and state in ('sent', 'streaming')`);
      throw new UpstreamError(`The device sent nothing for ${READ_TIMEOUT_MS / 1000} s.`, "device:timeout", usage);
    }
    await waitFor(jobTopic(job.id), POLL_MS, call.signal);
  }
}

/** What the agent POSTs for a job: the next batch of text (seq 1, 2, …), and at the end `done`, `stopped` or `error`. */
export const jobChunkSchema = z
  .object({
    seq: z.number().int().min(1).max(10_000_000),
    text: z.string().max(200_000).default(""),
    done: z.object({ tokens_in: z.number().int().min(0).max(10_000_000).optional(), tokens_out: z.number().int().min(0).max(10_000_000).optional(), model: z.string().max(200).optional() }).optional(),
    stopped: z.boolean().optional(),
    error: z.string().max(1000).optional(),
  })
  .refine((c) => [c.done, c.stopped, c.error].filter((x) => x !== undefined && x !== false).length <= 1, { message: "send at most one of done, stopped, error" });

/**
 * A batch from the agent. Only a job this device was sent, still running,
 * with the next seq, changes anything; a repeated seq is acknowledged and
 * ignored (a retried POST), a job the device was never sent is refused and
 * logged. The answer says `stop: true` once Stop was pressed.
 */
export async function acceptJobChunk(db: Db, device: DeviceIdentity, jobId: string, raw: unknown): Promise<{ accepted: boolean; stop: boolean }> {
  if (!z.uuid().safeParse(jobId).success) {
    await recordDeviceRefusal(db, device, "foreign_job", { jobId: jobId.slice(0, 100) });
    throw new AppError("not_found:job", "This device was not sent that job.");
  }
  const parsed = jobChunkSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("bad_request:job_chunk", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  const c = parsed.data;
  const final = c.done ? "done" : c.stopped ? "stopped" : c.error !== undefined ? "failed" : null;
  const [row] = await queryRows<{ stop: boolean }>(
    db,
    sql`update device_jobs set
          output = output || ${c.text},
          output_seq = ${c.seq},
          state = ${final ?? "streaming"},
          first_token_at = case when first_token_at is null and ${c.text} <> '' then now() else first_token_at end,
          model = coalesce(${c.done?.model ?? null}, model),
          tokens_in = coalesce(${c.done?.tokens_in ?? null}::int, tokens_in),
          tokens_out = coalesce(${c.done?.tokens_out ?? null}::int, tokens_out),
          error = ${c.error?.slice(0, 1000) ?? null},
          finished_at = case when ${final}::text is null then null else now() end
        where id = ${jobId} and device_id = ${device.deviceId} and state in ('sent', 'streaming') and output_seq = ${c.seq - 1}
        returning stop_requested_at is not null as stop`,
  );
  if (row) {
    wake(jobTopic(jobId));
    return { accepted: true, stop: row.stop };
  }
  const [job] = await queryRows<{ state: string; output_seq: number; stop: boolean }>(
    db,
    sql`select state, output_seq, stop_requested_at is not null as stop from device_jobs where id = ${jobId} and device_id = ${device.deviceId} and state <> 'queued'`,
  );
  if (!job) {
    await recordDeviceRefusal(db, device, "foreign_job", { jobId: jobId.slice(0, 100) });
    throw new AppError("not_found:job", "This device was not sent that job.");
  }
  if (c.seq <= job.output_seq) return { accepted: false, stop: job.stop };
  if (job.state !== "sent" && job.state !== "streaming") throw new AppError("conflict:job_finished", `This job is already ${job.state}.`);
  throw new AppError("conflict:job_seq", `Expected seq ${job.output_seq + 1}, got ${c.seq}: a batch is missing.`);
}
