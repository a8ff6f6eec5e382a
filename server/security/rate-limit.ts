import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { AppError } from "@/server/errors";

export type RateLimitRule = { limit: number; windowMs: number };

/**
 * Fixed-window counters in Postgres (`rate_limits`), so every app instance
 * shares them (docs/architecture.md#processes-and-instances). The window is judged by the database's clock,
 * never the app's, so instances with skewed clocks agree.
 */
export async function hitRateLimit(db: Db, { key, rule }: { key: string; rule: RateLimitRule }): Promise<{ count: number; limited: boolean }> {
  // One atomic upsert: concurrent hits cannot both read the old count.
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`insert into rate_limits (key, window_start, count) values (${key}, now(), 1)
        on conflict (key) do update set
          window_start = case when rate_limits.window_start <= now() - (${rule.windowMs} * interval '1 millisecond')
                              then now() else rate_limits.window_start end,
          count = case when rate_limits.window_start <= now() - (${rule.windowMs} * interval '1 millisecond')
                       then 1 else rate_limits.count + 1 end
        returning count`,
  );
  const count = Number(row?.count ?? 1);
  return { count, limited: count > rule.limit };
}

/** Whether `key` has used up its window, without counting this look. */
export async function isRateLimited(db: Db, { key, rule }: { key: string; rule: RateLimitRule }): Promise<boolean> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`select count from rate_limits
        where key = ${key} and window_start > now() - (${rule.windowMs} * interval '1 millisecond')`,
  );
  return Number(row?.count ?? 0) >= rule.limit;
}

/**
 * Guessable-secret guard: only failures count, so a person with a real link
 * is never slowed down, but while an address is over its limit even a correct
 * token is refused — a guesser cannot tell a hit from a miss.
 */
export const TOKEN_GUESS_RULE: RateLimitRule = { limit: 20, windowMs: 10 * 60_000 };

export function tooManyAttempts(): AppError {
  return new AppError("rate_limited:token", "Too many invalid links from your network. Wait ten minutes and try again.");
}
