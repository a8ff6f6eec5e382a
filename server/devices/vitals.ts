import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { ownDevice } from "./devices";

/*
 * Vitals are kept at two resolutions (docs/devices.md#vitals): as heartbeated
 * for a day, and as five-minute averages for 30 days. Charts over a day or
 * less read the raw rows, longer ranges the averages; either way the points
 * are bucketed so a chart gets at most ~240 of them.
 */
export const RAW_RETENTION_HOURS = 24;
export const DOWNSAMPLED_RETENTION_DAYS = 30;
export const BUCKET_SECONDS = 300;

export const VITALS_RANGES = { "15m": 15 * 60, "1h": 3600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400 } as const;
export type VitalsRange = keyof typeof VITALS_RANGES;
const MAX_POINTS = 240;

const bucket = (seconds: number) => sql.raw(`to_timestamp(floor(extract(epoch from at) / ${seconds}) * ${seconds})`);

/**
 * Averages every finished five-minute bucket of the last two hours of raw
 * vitals (recomputing is idempotent, so overlapping runs and several
 * instances agree), then deletes what is past its retention.
 */
export async function downsampleVitals(db: Db): Promise<{ buckets: number; deleted: number }> {
  const buckets = await queryRows<{ n: number }>(
    db,
    sql`insert into device_vitals (device_id, resolution, at, cpu, memory, disk, gpu, gpu_temp, vram, active_sessions, pending_queries, samples)
        select device_id, ${BUCKET_SECONDS}, ${bucket(BUCKET_SECONDS)} as b, avg(cpu), avg(memory), avg(disk), avg(gpu), avg(gpu_temp), avg(vram),
               round(avg(active_sessions)), round(avg(pending_queries)), count(*)
        from device_vitals
        where resolution = 0 and at >= now() - interval '2 hours'
          and at < to_timestamp(floor(extract(epoch from now()) / ${BUCKET_SECONDS}) * ${BUCKET_SECONDS})
        group by device_id, b
        on conflict (device_id, resolution, at) do update set
          cpu = excluded.cpu, memory = excluded.memory, disk = excluded.disk, gpu = excluded.gpu, gpu_temp = excluded.gpu_temp,
          vram = excluded.vram, active_sessions = excluded.active_sessions, pending_queries = excluded.pending_queries, samples = excluded.samples
        returning 1 as n`,
  );
  const deleted = await queryRows<{ n: number }>(
    db,
    sql`delete from device_vitals
        where (resolution = 0 and at < now() - make_interval(hours => ${RAW_RETENTION_HOURS}))
           or (resolution = ${BUCKET_SECONDS} and at < now() - make_interval(days => ${DOWNSAMPLED_RETENTION_DAYS}))
        returning 1 as n`,
  );
  return { buckets: buckets.length, deleted: deleted.length };
}

export type VitalsPoint = { at: string; cpu: number; memory: number; gpu: number | null; gpuTemp: number | null; vram: number | null };

/** One of the person's own devices' vitals over a range, oldest first. */
export async function vitalsSeries(db: Db, { userId, deviceId, range }: { userId: string; deviceId: string; range: VitalsRange }): Promise<VitalsPoint[]> {
  await ownDevice(db, { userId, deviceId });
  const seconds = VITALS_RANGES[range];
  const resolution = seconds <= RAW_RETENTION_HOURS * 3600 ? 0 : BUCKET_SECONDS;
  const step = Math.max(resolution || 1, Math.ceil(seconds / MAX_POINTS));
  const rows = await queryRows<{ at: Date | string; cpu: number; memory: number; gpu: number | null; gpu_temp: number | null; vram: number | null }>(
    db,
    sql`select ${bucket(step)} as at, avg(cpu) as cpu, avg(memory) as memory, avg(gpu) as gpu, avg(gpu_temp) as gpu_temp, avg(vram) as vram
        from device_vitals
        where device_id = ${deviceId} and resolution = ${resolution} and at >= now() - make_interval(secs => ${seconds})
        group by 1 order by 1`,
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    cpu: Number(r.cpu),
    memory: Number(r.memory),
    gpu: num(r.gpu),
    gpuTemp: num(r.gpu_temp),
    vram: num(r.vram),
  }));
}
