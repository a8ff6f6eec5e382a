import { getDb } from "@/db/client";
import { deviceErrorResponse, readOAuthBody } from "@/server/devices/http";
import { requestPairingCode } from "@/server/devices/pairing";
import { getEnv } from "@/server/env";
import { clientAddress } from "@/server/security/client-address";
import { BODY_LIMITS } from "@/server/security/request-guard";

export const dynamic = "force-dynamic";

/** POST /api/devices/code: RFC 8628 device authorisation request — a device code for the agent, a user code for the person. See docs/devices.md. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readOAuthBody(request, BODY_LIMITS.device);
    const db = await getDb();
    const codes = await requestPairingCode(db, {
      appUrl: getEnv().APP_URL,
      ip: clientAddress(request.headers),
      clientName: body.client_name ?? null,
      modelServer: body.model_server ?? null,
    });
    return Response.json(codes, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return deviceErrorResponse(error);
  }
}
