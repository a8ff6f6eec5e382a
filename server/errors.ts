import "server-only";
import { TRPCError } from "@trpc/server";
import { ERROR_KINDS, type ErrorCode, type ErrorKind, INTERNAL_ERROR } from "@/lib/errors";

export type { ErrorCode, ErrorKind } from "@/lib/errors";

/**
 * An error a person can act on, in Arbor's one vocabulary (lib/errors.ts,
 * after vercel/ai-chatbot's lib/errors.ts): a `kind:surface` code and a plain
 * message. Database detail is logged, never sent.
 */
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
    return ERROR_KINDS[this.kind].status;
  }
  toTRPC(): TRPCError {
    return new TRPCError({ code: ERROR_KINDS[this.kind].trpc, message: this.message, cause: this });
  }
  toJSON() {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The body every Route Handler answers an error with: `{ error: { code, message } }`. */
export function errorBody(error: AppError): { error: { code: ErrorCode; message: string } } {
  return { error: error.toJSON() };
}

/** A Response for Route Handlers: our errors with their kind's status, anything else as a plain 500. */
export function errorResponse(error: unknown): Response {
  if (isAppError(error)) return Response.json(errorBody(error), { status: error.status });
  console.error("[arbor] unexpected error", error);
  return Response.json({ error: INTERNAL_ERROR }, { status: 500 });
}
