import "server-only";
import { AppError, errorResponse } from "@/server/errors";
import { readCappedBody } from "@/server/security/request-guard";
import { OAuthError } from "./pairing";

/**
 * The body of an RFC 8628 request: the RFC's own form encoding
 * (application/x-www-form-urlencoded) or JSON, as a flat string map.
 */
export async function readOAuthBody(request: Request, maxBytes: number): Promise<Record<string, string>> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  const text = new TextDecoder().decode(await readCappedBody(request, maxBytes));
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new OAuthError("invalid_request", "The request body is not valid JSON.");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new OAuthError("invalid_request", "The request body must be a JSON object.");
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out[k] = v;
    return out;
  }
  throw new OAuthError("invalid_request", "Send the form as application/x-www-form-urlencoded (RFC 8628) or application/json.");
}

/** OAuth errors answer in the RFC's shape; everything else in Arbor's. */
export function deviceErrorResponse(error: unknown): Response {
  if (error instanceof OAuthError) return error.toResponse();
  if (error instanceof AppError && error.code.startsWith("too_large")) return new OAuthError("invalid_request", error.message, 413).toResponse();
  return errorResponse(error);
}
