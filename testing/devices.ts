import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { approvePairing, pollPairingToken, requestPairingCode } from "@/server/devices/pairing";

let counter = 0;

/** A device paired through the real RFC 8628 flow (code, approval, poll), with its token. */
export async function pairTestDevice(db: Db, { userId, name = "Test box", projectIds = [] }: { userId: string; name?: string; projectIds?: string[] }) {
  const ip = `10.77.${Math.floor(counter / 250) % 250}.${counter++ % 250}`;
  const codes = await requestPairingCode(db, { appUrl: "http://arbor.test", ip, clientName: name });
  const approved = await approvePairing(db, { userId, ip, userCode: codes.user_code, name, projectIds });
  const token = await pollPairingToken(db, { deviceCode: codes.device_code, ip });
  return { deviceId: approved.deviceId, token: token.access_token, identity: { deviceId: approved.deviceId, userId, name } };
}

/** Vitals as the agent sends them, at `at` (default now), with overrides. */
export function vitalsBody(overrides: Record<string, unknown> = {}, at = new Date()) {
  return {
    vitals: {
      timestamp: at.toISOString(),
      cpu_usage: 0.25,
      memory_usage: 0.5,
      gpu_usage: 0.3,
      gpu_temp_celsius: 55,
      gpu_vram_usage: 0.4,
      disk_usage: 0.6,
      active_sessions: 1,
      pending_queries: 0,
      loaded_model: "llama3.2:3b",
      ...overrides,
    },
  };
}

/** Moves a device's recorded heartbeats and vitals into the past, as if `seconds` had gone by. */
export async function ageDevice(db: Db, deviceId: string, seconds: number) {
  await db.execute(
    sql`update devices set last_heartbeat_at = last_heartbeat_at - make_interval(secs => ${seconds}), tunnel_seen_at = tunnel_seen_at - make_interval(secs => ${seconds}) where id = ${deviceId}`,
  );
}
