import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/routers/_app";
import { assertSameOrigin, BODY_LIMITS, isJsonContentType, readCappedBody } from "@/server/security/request-guard";
import { AppError, errorResponse } from "@/server/errors";
import { createRequestContext } from "@/server/trpc/context";

const handle = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createRequestContext(req.headers),
  });

/** Queries: no body, nothing changes. */
export const GET = handle;

/**
 * Mutations (and batched queries) come as POST: from this site only, as JSON, and within a body cap
 * checked before tRPC parses anything (its fetch adapter has no limit of its own).
 */
export async function POST(req: Request): Promise<Response> {
  try {
    assertSameOrigin(req.headers);
    if (!isJsonContentType(req.headers)) {
      throw new AppError("unsupported_media_type:json", "Send this request as JSON, with the header Content-Type: application/json.");
    }
    const body = await readCappedBody(req, BODY_LIMITS.trpc);
    return handle(new Request(req.url, { method: "POST", headers: req.headers, body: body.byteLength ? body : null }));
  } catch (error) {
    return errorResponse(error);
  }
}
