import "server-only";
import { type SQL, sql } from "drizzle-orm";

/**
 * A statement that writes several rows all or nothing, without a transaction
 * around it, refuses itself: when `reason` (a text expression, NULL = go on)
 * is not NULL, arbor_refuse() (migration 0001) raises and every write of the
 * statement is undone. Select it as a column after the checks it depends on.
 */
export function refuseWhen(reason: SQL): SQL {
  return sql`(select arbor_refuse(r.reason) from (select ${reason} as reason) r where r.reason is not null)`;
}

/** The reason a statement refused itself with refuseWhen(), or null for any other error. */
export function refusalOf(error: unknown): string | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const match = /arbor_refused:([a-z_]+)/.exec(e.message);
    if (match?.[1]) return match[1];
  }
  return null;
}
