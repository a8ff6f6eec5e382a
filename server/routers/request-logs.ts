import "server-only";
import { z } from "zod";
import { listRequestLogs, RETENTION_DAYS, requestLogEntry, requestLogMembers, requestLogsCsv, setRequestLogBodies, setRequestLogRetention } from "@/server/request-logs/logs";
import { projectProcedure, router } from "@/server/trpc/init";

const filter = z.object({
  memberId: z.uuid({ message: "is not a valid member id" }).nullish(),
  model: z.string().trim().min(1).max(100).nullish(),
  status: z.enum(["complete", "stopped", "error"]).nullish(),
  from: z.coerce.date().nullish(),
  to: z.coerce.date().nullish(),
});

/** requestLogs.*: the project's upstream calls, for its owner only (they carry every member's spend). */
export const requestLogsRouter = router({
  list: projectProcedure("owner")
    .input(z.object({ filter }))
    .query(async ({ ctx, input }) => ({
      rows: await listRequestLogs(ctx.db, { projectId: ctx.project.id, filter: input.filter }),
      retentionDays: ctx.project.requestLogDays,
      keepBodies: ctx.project.requestLogBodies,
    })),

  /** The member filter's choices: current members and former ones still in the log. */
  members: projectProcedure("owner").query(({ ctx }) => requestLogMembers(ctx.db, { projectId: ctx.project.id })),

  /** One call's stored request and response bodies (only ever kept when the owner turned that on). */
  entry: projectProcedure("owner")
    .input(z.object({ id: z.uuid({ message: "is not a valid log entry id" }) }))
    .query(({ ctx, input }) => requestLogEntry(ctx.db, { projectId: ctx.project.id, id: input.id })),

  setKeepBodies: projectProcedure("owner")
    .input(z.object({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setRequestLogBodies(ctx.db, { projectId: ctx.project.id, enabled: input.enabled })),

  csv: projectProcedure("owner")
    .input(z.object({ filter }))
    .query(({ ctx, input }) => requestLogsCsv(ctx.db, { projectId: ctx.project.id, filter: input.filter })),

  setRetention: projectProcedure("owner")
    .input(z.object({ days: z.number().int("must be a whole number of days").min(RETENTION_DAYS.min).max(RETENTION_DAYS.max) }))
    .mutation(({ ctx, input }) => setRequestLogRetention(ctx.db, { projectId: ctx.project.id, days: input.days })),
});
