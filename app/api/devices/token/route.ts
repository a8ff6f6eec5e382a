import { getDb } from "@/db/client";
import { deviceErrorResponse, readOAuthBody } from "@/server/devices/http";
import { DEVICE_CODE_GRANT, OAuthError, pollPairingToken } from "@/server/devices/pairing";
import { clientAddress } from "@/server/security/client-address";
import { BODY_LIMITS } from "@/server/security/request-guard";

export const dynamic = "force-dynamic";

/** POST /api/devices/token: RFC 8628 device access token request — the agent polls until the person approves. See docs/devices.md. */
export async function POST(request: Request): Promise<Response> {
  try {
    const body = await readOAuthBody(request, BODY_LIMITS.device);
    if (body.grant_type !== DEVICE_CODE_GRANT) throw new OAuthError("unsupported_grant_type", `grant_type must be ${DEVICE_CODE_GRANT}.`);
    if (!body.device_code) throw new OAuthError("invalid_request", "device_code is missing.");
    const db = await getDb();
    const token = await pollPairingToken(db, { deviceCode: body.device_code, ip: clientAddress(request.headers) });
    return Response.json(token, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return deviceErrorResponse(error);
  }
}
