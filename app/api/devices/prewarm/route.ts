import { getDb } from "@/db/client";
import { authenticateDevice } from "@/server/devices/authenticate";
import { recordPrewarm } from "@/server/devices/prewarm";
import { errorResponse } from "@/server/errors";
import { BODY_LIMITS, readJsonBody } from "@/server/security/request-guard";

export const dynamic = "force-dynamic";

/** POST /api/devices/prewarm: a PrewarmSignal — `auto` projects this device serves go to the cloud for a while (device token). See docs/devices.md. */
export async function POST(request: Request): Promise<Response> {
  try {
    const db = await getDb();
    const device = await authenticateDevice(db, request.headers);
    return Response.json(await recordPrewarm(db, device, await readJsonBody(request, BODY_LIMITS.device)));
  } catch (error) {
    return errorResponse(error);
  }
}
