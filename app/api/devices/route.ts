import { getDb } from "@/db/client";
import { getSessionUser } from "@/server/auth/session";
import { listDevices } from "@/server/devices/devices";
import { errorResponse } from "@/server/errors";
import { identifyRequest } from "@/server/tokens/request-identity";

export const dynamic = "force-dynamic";

/** GET /api/devices: your devices with state, last vitals and tunnel statistics (session, or a token with `read` or `devices`). See docs/api.md. */
export async function GET(request: Request): Promise<Response> {
  try {
    const db = await getDb();
    const who = await identifyRequest(db, { headers: request.headers, scope: "read", session: getSessionUser }).catch(async (error) => {
      // `devices` alone is enough to list devices, too
      if ((error as { code?: string }).code !== "forbidden:scope") throw error;
      return identifyRequest(db, { headers: request.headers, scope: "devices", session: getSessionUser });
    });
    return Response.json({ devices: await listDevices(db, { userId: who.userId }) });
  } catch (error) {
    return errorResponse(error);
  }
}
