import "server-only";
import type { Db } from "@/db/client";
import { securityEvents } from "@/db/schema";
import { hitRateLimit, type RateLimitRule } from "@/server/security/rate-limit";

/** A refusal that says something is wrong (a leaked token, a second agent, a forged device id) is logged at most this often per device and reason. */
const LOG_RULE: RateLimitRule = { limit: 1, windowMs: 60 * 60_000 };

export type RefusalReason = "heartbeat_flood" | "device_id_mismatch" | "revoked_token" | "foreign_job" | "prewarm_foreign_project";

/** Written to the device owner's security history (Account page), so they see what their device — or someone with its token — tried. */
export async function recordDeviceRefusal(db: Db, device: { deviceId: string; userId: string }, reason: RefusalReason, detail: Record<string, unknown> = {}): Promise<void> {
  const { limited } = await hitRateLimit(db, { key: `device-refused-log:${device.deviceId}:${reason}`, rule: LOG_RULE });
  if (limited) return;
  await db.insert(securityEvents).values({ userId: device.userId, kind: "device_refused", detail: { deviceId: device.deviceId, reason, ...detail } });
}
