import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "@/db/client";
import { AppError } from "@/server/errors";
import type { DeviceIdentity } from "./authenticate";
import { CLOCK_SKEW_MS, STALE_AFTER_MS } from "./heartbeat";
import { recordDeviceRefusal } from "./refusals";

/** A signal without an estimate keeps its projects on the cloud this long; an estimate doubles, within the cap. */
const DEFAULT_PREWARM_S = 120;
const MAX_PREWARM_S = 30 * 60;

/** The agent model's PrewarmSignal. */
export const prewarmSchema = z.object({
  project_id: z.uuid({ message: "project_id must be a project id" }),
  lora_id: z.string().max(200).nullish(),
  estimated_escalation_secs: z.number().int().min(0).max(86_400).nullish(),
  current_gpu_load: z.number().min(0, "current_gpu_load must be between 0 and 1").max(1, "current_gpu_load must be between 0 and 1"),
  timestamp: z.iso.datetime({ offset: true, message: "timestamp must be an ISO 8601 date-time" }),
});

/**
 * The device warns that it is about to be too busy: `auto` projects it serves
 * answer from the cloud until the signal lapses, and each such answer's trace
 * says why. The project must be one the device was paired for.
 */
export async function recordPrewarm(db: Db, device: DeviceIdentity, raw: unknown): Promise<{ prewarm_until: string; reason: string }> {
  const parsed = prewarmSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("bad_request:prewarm", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  const signal = parsed.data;
  const at = new Date(signal.timestamp).getTime();
  if (at > Date.now() + CLOCK_SKEW_MS) throw new AppError("bad_request:prewarm_timestamp", `timestamp ${signal.timestamp} is in the future. Check the device's clock.`);
  if (at < Date.now() - STALE_AFTER_MS) throw new AppError("bad_request:prewarm_timestamp", `timestamp ${signal.timestamp} is more than an hour old.`);
  const [served] = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from device_projects where device_id = ${device.deviceId} and project_id = ${signal.project_id}`,
  );
  if (!served) {
    await recordDeviceRefusal(db, device, "prewarm_foreign_project", { projectId: signal.project_id });
    throw new AppError("not_found:project", "This device was not paired for that project.");
  }
  const seconds = Math.min(MAX_PREWARM_S, signal.estimated_escalation_secs != null ? Math.max(DEFAULT_PREWARM_S, signal.estimated_escalation_secs * 2) : DEFAULT_PREWARM_S);
  const reason = `prewarm signal from ${device.name}: GPU load ${Math.round(signal.current_gpu_load * 100)} %${
    signal.estimated_escalation_secs != null ? `, escalation expected in ${signal.estimated_escalation_secs} s` : ""
  }`;
  const [row] = await queryRows<{ until: Date | string }>(
    db,
    sql`update devices set prewarm_until = now() + make_interval(secs => ${seconds}), prewarm_reason = ${reason}, prewarm_source = 'signal'
        where id = ${device.deviceId} returning prewarm_until as until`,
  );
  return { prewarm_until: new Date(row?.until ?? Date.now()).toISOString(), reason };
}
