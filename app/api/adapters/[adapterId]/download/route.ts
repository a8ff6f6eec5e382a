import { z } from "zod";
import { getDb } from "@/db/client";
import { downloadAdapter } from "@/server/adapters/download";
import { getSessionUser } from "@/server/auth/session";
import { AppError, errorResponse } from "@/server/errors";
import { getStorage } from "@/server/storage/store";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/adapters/<id>/download — whole or `Range: bytes=…`; any member of the adapter's project. */
export async function GET(request: Request, { params }: { params: Promise<{ adapterId: string }> }): Promise<Response> {
  try {
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized:session", "Please sign in first.");
    const adapterId = z.uuid().safeParse((await params).adapterId);
    if (!adapterId.success) throw new AppError("not_found:adapter", "This adapter does not exist.");
    return await downloadAdapter(await getDb(), getStorage(), { adapterId: adapterId.data, userId: user.id, range: request.headers.get("range") });
  } catch (error) {
    return errorResponse(error);
  }
}
