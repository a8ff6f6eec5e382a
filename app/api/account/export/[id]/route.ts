import { getDb } from "@/db/client";
import { downloadExport } from "@/server/account/export";
import { getSessionUser } from "@/server/auth/session";
import { AppError, errorResponse } from "@/server/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/account/export/<id>?token=… — the zip of a ready export. Only its
 * owner, signed in, with the link's unexpired token (server/account/export.ts).
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized:session", "Please sign in first.");
    const { id } = await params;
    const token = new URL(request.url).searchParams.get("token") ?? "";
    const zip = await downloadExport(await getDb(), { userId: user.id, exportId: id, token });
    return new Response(new Uint8Array(zip), {
      headers: {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="arbor-export-${new Date().toISOString().slice(0, 10)}.zip"`,
        "cache-control": "private, no-store",
        "referrer-policy": "no-referrer",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
