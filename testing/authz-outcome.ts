import { TRPCError } from "@trpc/server";
import { type ErrorKind, isWorthRetrying } from "@/lib/errors";
import { isAppError } from "@/server/errors";

/**
 * What one call of the authorization matrix came to. "denied" is a refusal
 * of the caller (UNAUTHORIZED, FORBIDDEN, NOT_FOUND); "allowed" is success or
 * an answer of the domain after the check (a conflict, a spent budget, bad
 * input the domain itself refused). Anything else — an unexpected exception,
 * an internal error, input the procedure's schema rejected — is "broken": the
 * case's fixture is wrong, and the test must say so instead of counting it.
 */
export type AuthzOutcome = { outcome: "allowed" | "denied" | "broken"; detail: string };

const DENIALS = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"]);
/** Refusals that share FORBIDDEN's tRPC code but are about money, not permission. */
const MONEY: ReadonlySet<ErrorKind> = new Set(["payment_required", "quota_exceeded"]);

export function authzOutcome(error: unknown): AuthzOutcome {
  if (!(error instanceof TRPCError)) return { outcome: "broken", detail: `not a tRPC error: ${String(error)}` };
  const app = isAppError(error.cause) ? error.cause : null;
  const detail = `${error.code}${app ? ` ${app.code}` : ""}: ${error.message}`;
  if (!app) {
    // Only the procedure builders' own checks deny without an AppError; a schema or server error means a broken case.
    if (error.code === "UNAUTHORIZED") return { outcome: "denied", detail };
    return { outcome: "broken", detail };
  }
  if (MONEY.has(app.kind)) return { outcome: "allowed", detail };
  if (DENIALS.has(error.code)) return { outcome: "denied", detail };
  // A transient failure is not an answer either.
  if (isWorthRetrying({ data: { appCode: app.code } })) return { outcome: "broken", detail };
  return { outcome: "allowed", detail };
}
