import { getDb } from "@/db/client";
import { authenticateDevice } from "@/server/devices/authenticate";
import { acceptJobChunk } from "@/server/devices/jobs";
import { errorResponse } from "@/server/errors";
import { BODY_LIMITS, readJsonBody } from "@/server/security/request-guard";

export const dynamic = "force-dynamic";

/** POST /api/devices/jobs/<jobId>: the agent's next batch of a job's text, or its end (device token). See docs/devices.md. */
export async function POST(request: Request, { params }: { params: Promise<{ jobId: string }> }): Promise<Response> {
  try {
    const { jobId } = await params;
    const db = await getDb();
    const device = await authenticateDevice(db, request.headers);
    return Response.json(await acceptJobChunk(db, device, jobId, await readJsonBody(request, BODY_LIMITS.deviceJob)));
  } catch (error) {
    return errorResponse(error);
  }
}
