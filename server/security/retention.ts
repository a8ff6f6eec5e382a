import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import type { Env } from "@/server/env";

/** How long each kind of row that only grows is kept, in days (server/env.ts, .env.example). */
export type RetentionPeriods = { streamEventsDays: number; rateLimitsDays: number; securityEventsDays: number; expiredTokensDays: number };

export function retentionPeriods(env: Env): RetentionPeriods {
  return {
    streamEventsDays: env.RETENTION_STREAM_EVENTS_DAYS,
    rateLimitsDays: env.RETENTION_RATE_LIMITS_DAYS,
    securityEventsDays: env.RETENTION_SECURITY_EVENTS_DAYS,
    expiredTokensDays: env.RETENTION_EXPIRED_TOKENS_DAYS,
  };
}

/** Rows deleted per table per statement: short statements, so PGlite (one connection) never stalls on a big purge. */
const BATCH = 2_000;

const before = (days: number) => sql`now() - make_interval(days => ${days})`;

/**
 * The rows a table may lose, as `select ctid from …` (the physical row id, so
 * one delete statement takes a bounded batch on both drivers).
 */
function prunable(periods: RetentionPeriods): Array<{ table: string; rows: SQL }> {
  const tokens = before(periods.expiredTokensDays);
  return [
    {
      // Only a finished stream's ledger: a running one is still being written, resumed and watched.
      table: "stream_events",
      rows: sql`select e.ctid from stream_events e join chat_streams s on s.id = e.stream_id
                where s.status = 'done' and s.finished_at < ${before(periods.streamEventsDays)}`,
    },
    { table: "rate_limits", rows: sql`select ctid from rate_limits where window_start < ${before(periods.rateLimitsDays)}` },
    { table: "security_events", rows: sql`select ctid from security_events where created_at < ${before(periods.securityEventsDays)}` },
    { table: "verification_tokens", rows: sql`select ctid from verification_tokens where expires < ${tokens}` },
    { table: "auth_tokens", rows: sql`select ctid from auth_tokens where expires_at < ${tokens} or used_at < ${tokens}` },
    { table: "sessions", rows: sql`select ctid from sessions where expires < ${tokens}` },
    { table: "access_tokens", rows: sql`select ctid from access_tokens where expires_at < ${tokens} or revoked_at < ${tokens}` },
  ];
}

/**
 * Delete what has outlived its retention period, table by table in batches.
 * Returns how many rows each table lost. The "retention" worker runs it
 * (server/jobs.ts); several instances may run it at once — a row deleted
 * twice is simply not found the second time.
 */
export async function pruneExpiredRows(db: Db, periods: RetentionPeriods): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const { table, rows } of prunable(periods)) {
    deleted[table] = 0;
    for (;;) {
      const gone = await queryRows<{ one: number }>(db, sql`delete from ${sql.identifier(table)} where ctid in (${rows} limit ${BATCH}) returning 1 as one`);
      deleted[table] += gone.length;
      if (gone.length < BATCH) break;
    }
  }
  return deleted;
}
