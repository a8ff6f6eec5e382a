import "server-only";
import { and, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { projects, requestLogs, users } from "@/db/schema";
import { microsToDecimal } from "@/lib/money";
import { AppError } from "@/server/errors";

export type RequestLogEntry = typeof requestLogs.$inferInsert;

/** One upstream call into the log. A failure to log never fails the answer (the log is a view, the bill is elsewhere). */
export async function recordRequestLog(db: Db, entry: RequestLogEntry): Promise<void> {
  await db
    .insert(requestLogs)
    .values({ ...entry, error: entry.error ? entry.error.slice(0, 500) : null })
    .catch((error) => console.error("[arbor] could not write the request log", error));
}

/**
 * The same row as an `insert` for a statement that writes other rows too (a
 * chat answer's closing statement): `with log as (…)`.
 */
export function requestLogInsert(entry: RequestLogEntry): SQL {
  const error = entry.error ? entry.error.slice(0, 500) : null;
  return sql`insert into request_logs (project_id, actor_id, chat_id, message_id, agent_name, provider, model, tier, status,
      ttft_ms, latency_ms, tokens_in, tokens_out, cost_micros, error)
    values (${entry.projectId}, ${entry.actorId ?? null}, ${entry.chatId ?? null}, ${entry.messageId ?? null}, ${entry.agentName ?? null},
      ${entry.provider}, ${entry.model}, ${entry.tier}, ${entry.status}, ${entry.ttftMs ?? null}, ${entry.latencyMs},
      ${entry.tokensIn ?? 0}, ${entry.tokensOut ?? 0}, ${entry.costMicros ?? 0n}, ${error})`;
}

export type RequestLogFilter = { memberId?: string | null; model?: string | null; status?: "complete" | "stopped" | "error" | null; from?: Date | null; to?: Date | null };

const MAX_ROWS = 1_000;

/** The owner's log, newest first, by member, model, status and date (inclusive); scoped to the project in the where. */
export async function listRequestLogs(db: Db, { projectId, filter, limit = 200 }: { projectId: string; filter: RequestLogFilter; limit?: number }) {
  if (filter.from && filter.to && filter.from > filter.to) throw new AppError("bad_request:filter", "The start date is after the end date.");
  return db
    .select({
      id: requestLogs.id,
      createdAt: requestLogs.createdAt,
      actorId: requestLogs.actorId,
      member: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      chatId: requestLogs.chatId,
      messageId: requestLogs.messageId,
      agentName: requestLogs.agentName,
      provider: requestLogs.provider,
      model: requestLogs.model,
      tier: requestLogs.tier,
      status: requestLogs.status,
      ttftMs: requestLogs.ttftMs,
      latencyMs: requestLogs.latencyMs,
      tokensIn: requestLogs.tokensIn,
      tokensOut: requestLogs.tokensOut,
      costMicros: requestLogs.costMicros,
      error: requestLogs.error,
    })
    .from(requestLogs)
    .leftJoin(users, eq(users.id, requestLogs.actorId))
    .where(
      and(
        eq(requestLogs.projectId, projectId),
        filter.memberId ? eq(requestLogs.actorId, filter.memberId) : undefined,
        filter.model ? eq(requestLogs.model, filter.model) : undefined,
        filter.status ? eq(requestLogs.status, filter.status) : undefined,
        filter.from ? gte(requestLogs.createdAt, filter.from) : undefined,
        filter.to ? lte(requestLogs.createdAt, filter.to) : undefined,
      ),
    )
    .orderBy(desc(requestLogs.createdAt))
    .limit(Math.min(Math.max(1, limit), MAX_ROWS));
}

const CSV_COLUMNS = ["time", "member", "chat", "agent", "provider", "model", "tier", "status", "ttft_ms", "latency_ms", "tokens_in", "tokens_out", "cost_usd", "error"] as const;

/** The same rows as CSV (RFC 4180 quoting; cost as exact dollars; a leading = + - @ is quoted away so a spreadsheet never runs it). */
export async function requestLogsCsv(db: Db, args: { projectId: string; filter: RequestLogFilter }): Promise<string> {
  const rows = await listRequestLogs(db, { ...args, limit: MAX_ROWS });
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of rows) {
    lines.push(
      [r.createdAt.toISOString(), r.member, r.chatId, r.agentName, r.provider, r.model, r.tier, r.status, r.ttftMs, r.latencyMs, r.tokensIn, r.tokensOut, microsToDecimal(r.costMicros), r.error]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const RETENTION_DAYS = { min: 1, max: 365 } as const;

/** How long the project's log keeps a call; the next prune applies it. */
export async function setRequestLogRetention(db: Db, { projectId, days }: { projectId: string; days: number }) {
  if (!Number.isInteger(days) || days < RETENTION_DAYS.min || days > RETENTION_DAYS.max) {
    throw new AppError("bad_request:retention", `Keep the request log between ${RETENTION_DAYS.min} and ${RETENTION_DAYS.max} days.`);
  }
  const [row] = await db.update(projects).set({ requestLogDays: days }).where(eq(projects.id, projectId)).returning({ requestLogDays: projects.requestLogDays });
  if (!row) throw new AppError("not_found:project", "This project does not exist.");
  return row;
}

/** Deletes every call older than its project's retention period (one statement; a worker runs it). */
export async function pruneRequestLogs(db: Db, now = new Date()): Promise<number> {
  const deleted = await db
    .delete(requestLogs)
    .where(
      sql`${requestLogs.id} in (select l.id from request_logs l join projects p on p.id = l.project_id
            where l.created_at < ${now.toISOString()}::timestamptz - make_interval(days => p.request_log_days))`,
    )
    .returning({ id: requestLogs.id });
  return deleted.length;
}
