import { getDb } from "@/db/client";
import { authenticateDevice } from "@/server/devices/authenticate";
import { recordHeartbeat } from "@/server/devices/heartbeat";
import { errorResponse } from "@/server/errors";
import { BODY_LIMITS, readJsonBody } from "@/server/security/request-guard";

export const dynamic = "force-dynamic";

/** POST /api/devices/heartbeat: a device's vitals and tunnel state (device token) → HeartbeatAck. See docs/devices.md. */
export async function POST(request: Request): Promise<Response> {
  try {
    const db = await getDb();
    const device = await authenticateDevice(db, request.headers);
    const ack = await recordHeartbeat(db, device, await readJsonBody(request, BODY_LIMITS.device));
    return Response.json(ack);
  } catch (error) {
    return errorResponse(error);
  }
}
