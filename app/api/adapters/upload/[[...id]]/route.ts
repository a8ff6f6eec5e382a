import { getDb } from "@/db/client";
import { handleAdapterUpload } from "@/server/adapters/tus-handler";
import { getSessionUser } from "@/server/auth/session";
import { AppError, errorResponse } from "@/server/errors";
import { assertSameOrigin } from "@/server/security/request-guard";
import { getStorage } from "@/server/storage/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const maxDuration = 300;

/**
 * The tus endpoint for LoRA adapters (docs/adapters.md): POST creates, HEAD
 * says how far an upload got, PATCH sends one checksummed chunk, DELETE
 * cancels. Same site and signed in here; the role, quota and checksum in
 * server/adapters/tus-handler.ts.
 */
async function handle(request: Request): Promise<Response> {
  try {
    if (request.method !== "OPTIONS") assertSameOrigin(request.headers);
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized:session", "Please sign in first.");
    return await handleAdapterUpload(await getDb(), getStorage(), { request, userId: user.id });
  } catch (error) {
    const response = errorResponse(error);
    response.headers.set("Tus-Resumable", "1.0.0");
    return response;
  }
}

export { handle as DELETE, handle as HEAD, handle as OPTIONS, handle as PATCH, handle as POST };
