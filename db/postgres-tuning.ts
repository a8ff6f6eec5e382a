import "server-only";
import type { Sql, TransactionSql } from "postgres";
import { getDatabaseEnv } from "./env";

/**
 * drizzle runs every statement unprepared on postgres.js, and postgres.js
 * sends an unprepared statement with parameters in TWO round trips (it asks
 * the server for the parameter types first), which the server then parses and
 * plans from scratch. As named prepared statements (postgres.js's own default)
 * a repeated statement is one round trip with a cached plan: on the path to a
 * chat's first token that is several round trips and milliseconds of planning.
 *
 * Statements are cached per connection by text (connections are recycled every
 * 30–60 minutes). A pooler in transaction mode needs prepared-statement
 * support (PgBouncer ≥ 1.21 with max_prepared_statements); otherwise set
 * DATABASE_PREPARED_STATEMENTS=0.
 */
export function prepareStatements(client: Sql): void {
  if (getDatabaseEnv().DATABASE_PREPARED_STATEMENTS === "0") return;
  prepared(client);
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.begin = ((...args: unknown[]) => {
    const callback = args.pop() as (tx: TransactionSql) => unknown;
    return begin(...args, (tx: TransactionSql) => callback(prepared(tx)));
  }) as Sql["begin"];
}

function prepared<T extends Pick<Sql, "unsafe">>(sql: T): T {
  const unsafe = sql.unsafe.bind(sql);
  sql.unsafe = ((query: string, parameters?: unknown[], options?: Record<string, unknown>) =>
    unsafe(query, parameters as never, { ...options, prepare: true })) as Sql["unsafe"];
  return sql;
}
