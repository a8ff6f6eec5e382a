import { getDb } from "@/db/client";
import { authenticateDevice } from "@/server/devices/authenticate";
import { openTunnel } from "@/server/devices/tunnel";
import { errorResponse } from "@/server/errors";

export const dynamic = "force-dynamic";
/** A tunnel lives as long as the platform lets a response live; the agent reconnects after. */
export const maxDuration = 3600;

/** GET /api/devices/tunnel: the device's one outbound connection; local-tier jobs and Stops come down it as server-sent events. See docs/devices.md. */
export async function GET(request: Request): Promise<Response> {
  try {
    const db = await getDb();
    const device = await authenticateDevice(db, request.headers);
    return new Response(openTunnel(db, device, request.signal), {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no", connection: "keep-alive" },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
