import "server-only";
import { and, desc, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { projects, requestLogs, users } from "@/db/schema";
import { microsToDecimal } from "@/lib/money";
import { AppError } from "@/server/errors";
import { capBody, redactText, redactValue } from "./redact";

export type RequestLogEntry = typeof requestLogs.$inferInsert;

/** One upstream call into the log. A failure to log never fails the answer (the log is a view, the bill is elsewhere). */
export async function recordRequestLog(db: Db, entry: RequestLogEntry): Promise<void> {
  await db.execute(requestLogInsert(entry)).catch((error) => console.error("[arbor] could not write the request log", error));
}

/**
/**
 * The bodies of a call, redacted and capped: the request as JSON and the
 * answer's text. Whether they are kept is the project's setting, read by the
 * insert itself (requestLogInsert) as the call ends, so turning it off stops
 * keeping bodies from the next call.
 */
export function redactedBodies({ request, response, secrets }: { request: unknown; response: string; secrets: readonly string[] }): {
  requestBody: string | null;
  responseBody: string | null;
} {
  return {
    requestBody: request === null ? null : capBody(JSON.stringify(redactValue(request, secrets), null, 2)),
    responseBody: capBody(redactText(response, secrets)),
  };
}

/** The owner turns body storage on or off for the project; it applies from the next call, and calls already kept keep theirs until retention. */
export async function setRequestLogBodies(db: Db, { projectId, enabled }: { projectId: string; enabled: boolean }) {
  const [row] = await db.update(projects).set({ requestLogBodies: enabled }).where(eq(projects.id, projectId)).returning({ requestLogBodies: projects.requestLogBodies });
  if (!row) throw new AppError("not_found:project", "This project does not exist.");
  return row;
}

/** One call with its bodies, for the project's owner (the router checks the role); another project's call is not found. */
export async function requestLogEntry(db: Db, { projectId, id }: { projectId: string; id: string }) {
  const [row] = await db
    .select({ id: requestLogs.id, requestBody: requestLogs.requestBody, responseBody: requestLogs.responseBody })
    .from(requestLogs)
    .where(and(eq(requestLogs.id, id), eq(requestLogs.projectId, projectId)));
  if (!row) throw new AppError("not_found:request_log", "There is no such call in this project's log.");
  return row;
}

/** Who can be picked in the log's member filter: today's members and anyone with a call still in the log (a member who left). */
export async function requestLogMembers(db: Db, { projectId }: { projectId: string }) {
  return queryRows<{ id: string; label: string; current: boolean }>(
    db,
    sql`select u.id, coalesce(nullif(u.name, ''), u.email) as label, bool_or(w.current) as current
        from (select user_id, true as current from project_members where project_id = ${projectId}
              union all
              select distinct actor_id, false from request_logs where project_id = ${projectId} and actor_id is not null) w
        join users u on u.id = w.user_id
        group by u.id, u.name, u.email
        order by label`,
  );
}

/**
 * The row as one `insert` that can also sit in a statement writing other rows
 * (a chat answer's closing statement: `with log as (…)`). The bodies are kept
 * only when the project keeps bodies, read by this same statement.
 */
export function requestLogInsert(entry: RequestLogEntry): SQL {
  const error = entry.error ? entry.error.slice(0, 500) : null;
  return sql`insert into request_logs (project_id, actor_id, chat_id, message_id, agent_name, provider, model, tier, status,
      ttft_ms, latency_ms, tokens_in, tokens_out, cost_micros, error, request_body, response_body)
    select ${entry.projectId}::uuid, ${entry.actorId ?? null}::uuid, ${entry.chatId ?? null}::uuid, ${entry.messageId ?? null}::uuid, ${entry.agentName ?? null}::text,
      ${entry.provider}::text, ${entry.model}::text, ${entry.tier}::text, ${entry.status}::text, ${entry.ttftMs ?? null}::int, ${entry.latencyMs}::int,
      ${entry.tokensIn ?? 0}::int, ${entry.tokensOut ?? 0}::int, ${entry.costMicros ?? 0n}::bigint, ${error}::text,
      case when p.request_log_bodies then ${entry.requestBody ?? null}::text end, case when p.request_log_bodies then ${entry.responseBody ?? null}::text end
    from projects p where p.id = ${entry.projectId}::uuid`;
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
      hasBodies: sql<boolean>`(${requestLogs.requestBody} is not null or ${requestLogs.responseBody} is not null)`,
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
