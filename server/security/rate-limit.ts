import "server-only";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "@/db/client";
import { AppError } from "@/server/errors";

export type RateLimitRule = { limit: number; windowMs: number };

/*
 * Sliding-window counters in Postgres (`rate_limits`), so every app instance
 * shares them (docs/architecture.md#processes-and-instances). Each key keeps
 * the count of its current window and of the one before; the rate is the
 * current count plus the previous one weighted by how much of it still lies
 * within the last `windowMs` (Cloudflare's sliding-window counter): no burst
 * of twice the limit across a window edge, and one row per key. Time is the
 * database's clock, never the app's, so instances with skewed clocks agree.
 */
const age = (w: number) => sql`(extract(epoch from (now() - rate_limits.window_start)) * 1000 / ${w})`;

/**
 * Count one hit. `rate` is the weighted count including this hit (fractional
 * while the previous window slides out), `count` it rounded up; `limited`
 * when it is past `rule.limit`.
 */
export async function hitRateLimit(db: Db, { key, rule }: { key: string; rule: RateLimitRule }): Promise<{ count: number; rate: number; limited: boolean }> {
  const w = rule.windowMs;
  // One atomic upsert: concurrent hits queue on the row and each sees its own count.
  const [row] = await queryRows<{ rate: number }>(
    db,
    sql`insert into rate_limits (key, window_start, count, previous_count) values (${key}, now(), 1, 0)
        on conflict (key) do update set
          previous_count = case when ${age(w)} < 1 then rate_limits.previous_count
                                when ${age(w)} < 2 then rate_limits.count else 0 end,
          window_start = case when ${age(w)} < 1 then rate_limits.window_start
                              when ${age(w)} < 2 then rate_limits.window_start + (${w} * interval '1 millisecond')
                              else now() end,
          count = case when ${age(w)} < 1 then rate_limits.count + 1 else 1 end
        returning count + previous_count * greatest(0, 1 - ${age(w)}) as rate`,
  );
  const rate = Number(row?.rate ?? 1);
  return { count: Math.ceil(rate), rate, limited: rate > rule.limit };
}

/** Whether `key` has used up its window, without counting this look. */
export async function isRateLimited(db: Db, { key, rule }: { key: string; rule: RateLimitRule }): Promise<boolean> {
  const w = rule.windowMs;
  const [row] = await queryRows<{ rate: number }>(
    db,
    sql`select case when ${age(w)} < 1 then count + previous_count * (1 - ${age(w)})
                    when ${age(w)} < 2 then count * (2 - ${age(w)})
                    else 0 end as rate
        from rate_limits where key = ${key}`,
  );
  return Number(row?.rate ?? 0) >= rule.limit;
}

/** Forget `key`'s count (a successful sign-in clears that account's failures). */
export async function clearRateLimit(db: Db, { key }: { key: string }): Promise<void> {
  await db.execute(sql`delete from rate_limits where key = ${key}`);
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
