import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { Role } from "@/lib/roles";
import { AppError, isAppError } from "@/server/errors";
import { requireProjectRole } from "@/server/projects/access";
import { touchMember } from "@/server/projects/service";
import { isOperator } from "@/server/ops/operators";

// ─── 1. Context ──────────────────────────────────────────────────────────────
export type SessionUser = { id: string; email: string; name: string | null };

export type Context = {
  db: Db;
  user: SessionUser | null;
  /** the caller's IP, for rate limits on guessable things (tokens) */
  ip: string;
  /** the session this request came with (server-side only: it is the session's secret), to mark and keep "this one" */
  sessionToken?: string | null;
};

// ─── 2. Init ─────────────────────────────────────────────────────────────────
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Never send a stack trace, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
    const appCode = isAppError(error.cause) ? error.cause.code : null;
    const internal = error.code === "INTERNAL_SERVER_ERROR" && !appCode;
    if (internal) console.error("[arbor] tRPC internal error", error.cause ?? error);
    return {
      ...shape,
      message: internal
        ? "Something went wrong on our side. Please try again."
        : zodError
          ? Object.entries(zodError.fieldErrors)
              .map(([field, messages]) => `${field}: ${(messages as string[] | undefined)?.[0] ?? "invalid"}`)
              .concat(zodError.formErrors)
              .join("; ") || "Invalid input."
          : shape.message,
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, zodError, appCode },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Domain code throws AppError; callers see its TRPC code and plain message. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    throw result.error.cause.toTRPC();
  }
  return result;
});

// ─── 3. Procedures ───────────────────────────────────────────────────────────

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(mapAppErrors);

/** Any signed-in person; narrows ctx.user to non-null. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const projectInput = z.object({ projectId: z.uuid({ message: "is not a valid project id" }) });

/**
 * Members of the input's `projectId` holding at least `minimum`; narrows
 * ctx.project and ctx.member. Unknown project or non-member → NOT_FOUND,
 * role too low → FORBIDDEN. Further `.input()` calls merge with { projectId }.
 */
export function projectProcedure(minimum: Role) {
  return protectedProcedure.input(projectInput).use(async ({ ctx, input, next }) => {
    const access = await requireProjectRole(ctx.db, { projectId: input.projectId, userId: ctx.user.id, minimum });
    // "Last active" on the Members tab: any project request counts.
    await touchMember(ctx.db, { projectId: input.projectId, userId: ctx.user.id });
    return next({ ctx: { ...ctx, project: access.project, member: access.member } });
  });
}

/**
 * Operators only (ARBOR_OPERATOR_EMAILS, server/ops/operators.ts). Anyone else
 * gets NOT_FOUND, as if the admin area did not exist.
 */
export const operatorProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!isOperator(ctx.user.email)) throw new AppError("not_found:page", "There is nothing here.").toTRPC();
  return next({ ctx });
});
