import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { getEnv } from "@/server/env";
import type { DeviceIdentity } from "./authenticate";
import { deviceTopic, jobTopic, waitFor, wake } from "./bus";

/*
 * The tunnel (docs/devices.md#the-tunnel): one long-lived, outbound-from-the-
 * device `GET /api/devices/tunnel`, answered as server-sent events. Down it
 * go `job` events (a local-tier request to run), `stop` events (Stop was
 * pressed) and keep-alive comments; up, the agent POSTs each job's text to
 * /api/devices/jobs/<id>. Jobs and Stops live in the database, so the answer
 * and the tunnel may be on different instances; a wake-up in this process
 * only makes the same-instance case instant.
 */

/** Without a wake-up, look for new jobs and Stops this often. */
const IDLE_POLL_MS = 1_000;

type JobToSend = { id: string; request: { model: string | null; system: string; messages: Array<{ role: string; content: string }>; maxTokens: number; temperature: number | null } };

/** How many tunnels of each device this process holds: closing one of two is not "reconnecting". */
const open = new Map<string, number>();

export function openTunnel(db: Db, device: DeviceIdentity, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pingMs = getEnv().DEVICE_TUNNEL_PING_SECONDS * 1000;
  const toldToStop = new Set<string>();
  let closed = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (chunk: string) => {
        if (!closed) controller.enqueue(encoder.encode(chunk));
      };
      open.set(device.deviceId, (open.get(device.deviceId) ?? 0) + 1);
      await db.execute(
        sql`update devices set tunnel_state = 'connected', tunnel_seen_at = now(), reconnect_attempt = 0, last_error = null where id = ${device.deviceId}`,
      );
      send(`retry: 5000\nevent: hello\ndata: ${JSON.stringify({ device_id: device.deviceId, ping_seconds: pingMs / 1000 })}\n\n`);
      let lastPing = Date.now();
      try {
        while (!signal.aborted) {
          const jobs = await queryRows<JobToSend>(
            db,
            sql`update device_jobs set state = 'sent', sent_at = now()
                where id in (select id from device_jobs where device_id = ${device.deviceId} and state = 'queued' order by created_at limit 10 for update skip locked)
                returning id, request`,
          );
          for (const job of jobs) {
            send(`event: job\ndata: ${JSON.stringify({ id: job.id, ...job.request })}\n\n`);
            wake(jobTopic(job.id));
          }
          const stops = await queryRows<{ id: string }>(
            db,
            sql`select id from device_jobs where device_id = ${device.deviceId} and state in ('sent', 'streaming') and stop_requested_at is not null`,
          );
          for (const { id } of stops) {
            if (toldToStop.has(id)) continue;
            toldToStop.add(id);
            send(`event: stop\ndata: ${JSON.stringify({ id })}\n\n`);
          }
          if (Date.now() - lastPing >= pingMs) {
            lastPing = Date.now();
            send(`: ping ${new Date().toISOString()}\n\n`);
            await db.execute(sql`update devices set tunnel_seen_at = now(), tunnel_state = 'connected' where id = ${device.deviceId}`);
          }
          await waitFor(deviceTopic(device.deviceId), Math.min(IDLE_POLL_MS, pingMs), signal);
        }
      } catch (error) {
        if (!signal.aborted) console.error("[arbor] device tunnel failed", error);
      } finally {
        closed = true;
        await closeTunnel(db, device.deviceId).catch((error) => console.error("[arbor] closing a device tunnel failed", error));
        try {
          controller.close();
        } catch {
          // the client already went away
        }
      }
    },
    cancel() {
      closed = true;
    },
  });
}

/**
 * The connection ended. Jobs it was running can no longer arrive, so they
 * fail now (an `auto` answer may still escalate) rather than at the read
 * timeout; the device shows "reconnecting" until the agent is back or its
 * silence makes it offline.
 */
async function closeTunnel(db: Db, deviceId: string): Promise<void> {
  const left = (open.get(deviceId) ?? 1) - 1;
  if (left > 0) {
    open.set(deviceId, left);
    return;
  }
  open.delete(deviceId);
  const failed = await queryRows<{ id: string }>(
    db,
    sql`update device_jobs set state = 'failed', error = 'the tunnel closed', finished_at = now()
        where device_id = ${deviceId} and state in ('sent', 'streaming') returning id`,
  );
  for (const { id } of failed) wake(jobTopic(id));
  await db.execute(sql`update devices set tunnel_state = 'reconnecting', last_error = 'tunnel closed' where id = ${deviceId} and tunnel_state = 'connected'`);
}
