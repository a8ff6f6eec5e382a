/**
 * Arbor's one error vocabulary, for client and server alike: `kind:surface`
 * codes (`forbidden:project`, `too_large:file_size`), where the kind decides
 * the HTTP status and the tRPC code, and the surface says what it was about.
 * The server throws them as AppError (server/errors.ts); Route Handlers answer
 * `{ error: { code, message } }` with the kind's status; tRPC errors carry the
 * code as `data.appCode`. Clients decide on the code, never on message text.
 * @see docs/architecture.md#errors
 */
export const ERROR_KINDS = {
  bad_request: { status: 400, trpc: "BAD_REQUEST" },
  unauthorized: { status: 401, trpc: "UNAUTHORIZED" },
  payment_required: { status: 402, trpc: "FORBIDDEN" },
  quota_exceeded: { status: 402, trpc: "FORBIDDEN" },
  forbidden: { status: 403, trpc: "FORBIDDEN" },
  not_found: { status: 404, trpc: "NOT_FOUND" },
  conflict: { status: 409, trpc: "CONFLICT" },
  gone: { status: 410, trpc: "NOT_FOUND" },
  too_large: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  unsupported_media_type: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  rate_limited: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  unavailable: { status: 503, trpc: "INTERNAL_SERVER_ERROR" },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;
export type ErrorCode = `${ErrorKind}:${string}`;

/** What a Route Handler answers for an error that is not ours: no detail leaves the server. */
export const INTERNAL_ERROR = { code: "internal:server", message: "Something went wrong on our side. Please try again." } as const;

export function kindOf(code: string | null | undefined): ErrorKind | null {
  const kind = code?.split(":")[0];
  return kind && Object.hasOwn(ERROR_KINDS, kind) ? (kind as ErrorKind) : null;
}

/** The HTTP status of a code; anything unknown is a server error. */
export function statusOf(code: string | null | undefined): number {
  const kind = kindOf(code);
  return kind ? ERROR_KINDS[kind].status : 500;
}

/** Kinds where asking again may succeed: the server was busy or down, not saying "no". */
const TRANSIENT: ReadonlySet<ErrorKind> = new Set(["rate_limited", "unavailable"]);
/** tRPC codes that are an answer, not a failure: asking again gets the same answer. */
const FINAL_TRPC_CODES: ReadonlySet<string> = new Set(
  Object.values(ERROR_KINDS)
    .map((k) => k.trpc as string)
    .filter((code) => code !== "INTERNAL_SERVER_ERROR" && code !== "TOO_MANY_REQUESTS")
    .concat(["PARSE_ERROR", "METHOD_NOT_SUPPORTED", "UNPROCESSABLE_CONTENT", "PRECONDITION_FAILED"]),
);

/**
 * Whether a failed request is worth retrying, decided on its code: an error of
 * ours by its kind, a tRPC error by its code; a network failure (no code) is.
 */
export function isWorthRetrying(error: unknown): boolean {
  const data = (error as { data?: { appCode?: unknown; code?: unknown } } | null)?.data;
  const appKind = kindOf(typeof data?.appCode === "string" ? data.appCode : null);
  if (appKind) return TRANSIENT.has(appKind);
  if (typeof data?.code === "string") return !FINAL_TRPC_CODES.has(data.code);
  return true;
}

/** A failed call's message, already written for people by the server; the fallback when there is none. */
export function errorMessage(error: unknown, fallback = "Something went wrong. Please try again."): string {
  return error instanceof Error && error.message ? error.message : fallback;
}
