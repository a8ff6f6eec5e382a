import "server-only";
import { TRPCError } from "@trpc/server";

/**
 * Arbor's one error vocabulary (after vercel/ai-chatbot's lib/errors.ts):
 * `kind:surface` codes, each with an HTTP status, a tRPC code and a message a
 * person can act on. Database detail is logged, never sent.
 */
const KINDS = {
  bad_request: { status: 400, trpc: "BAD_REQUEST" },
  unauthorized: { status: 401, trpc: "UNAUTHORIZED" },
  forbidden: { status: 403, trpc: "FORBIDDEN" },
  not_found: { status: 404, trpc: "NOT_FOUND" },
  conflict: { status: 409, trpc: "CONFLICT" },
  gone: { status: 410, trpc: "NOT_FOUND" },
  payment_required: { status: 402, trpc: "FORBIDDEN" },
  quota_exceeded: { status: 402, trpc: "FORBIDDEN" },
  rate_limited: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  unavailable: { status: 503, trpc: "INTERNAL_SERVER_ERROR" },
} as const;

export type ErrorKind = keyof typeof KINDS;
export type ErrorCode = `${ErrorKind}:${string}`;

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "AppError";
    this.code = code;
  }
  get kind(): ErrorKind {
    return this.code.split(":")[0] as ErrorKind;
  }
  get status(): number {
    return KINDS[this.kind].status;
  }
  toTRPC(): TRPCError {
    return new TRPCError({ code: KINDS[this.kind].trpc, message: this.message, cause: this });
  }
  toJSON() {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A Response for Route Handlers: known errors with their status, anything else as a plain 500. */
export function errorResponse(error: unknown): Response {
  if (isAppError(error)) return Response.json({ error: error.toJSON() }, { status: error.status });
  console.error("[arbor] unexpected error", error);
  return Response.json({ error: { code: "internal:server", message: "Something went wrong on our side. Please try again." } }, { status: 500 });
}
