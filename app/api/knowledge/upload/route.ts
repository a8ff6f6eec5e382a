import { z } from "zod";
import { getDb } from "@/db/client";
import { statusOf } from "@/lib/errors";
import { getSessionUser } from "@/server/auth/session";
import { AppError, errorResponse } from "@/server/errors";
import { handleUpload } from "@/server/knowledge/upload";
import { assertSameOrigin } from "@/server/security/request-guard";

export const runtime = "nodejs";
export const maxDuration = 120;

/**
 * POST /api/knowledge/upload?projectId=… — multipart, field `file` (one or more). Editors and owners only.
 * The body is capped while it streams in (handleUpload), after the site, session and role checks.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request.headers);
    const user = await getSessionUser();
    if (!user) throw new AppError("unauthorized:session", "Please sign in first.");
    const projectId = z.uuid().safeParse(new URL(request.url).searchParams.get("projectId"));
    if (!projectId.success) throw new AppError("bad_request:project", "The upload needs a valid projectId.");
    const outcomes = await handleUpload(await getDb(), { projectId: projectId.data, userId: user.id, request });
    const failed = outcomes.filter((o) => o.error);
    // One file that failed gets its code's status (a client shows the message); a mixed batch is 200 with per-file results.
    if (outcomes.length === 1 && failed[0]?.error) {
      return Response.json({ error: failed[0].error, results: outcomes }, { status: statusOf(failed[0].error.code) });
    }
    return Response.json({ results: outcomes });
  } catch (error) {
    return errorResponse(error);
  }
}
