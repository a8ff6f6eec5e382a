import "server-only";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import type { Sql, TransactionSql } from "postgres";

/**
 * Every statement this process sends to its database, counted at the driver
 * (below drizzle, so a raw `db.execute` counts as much as a query builder's):
 * what tests pin and benchmarks print — a count does not depend on how busy
 * the machine is, a timing does. `transactions` are the BEGIN/COMMIT pairs
 * around some of them: on Postgres each is a round trip of its own. Costs an
 * increment per statement; the texts are kept only while someone listens.
 */
export type StatementTally = {
  statements: number;
  transactions: number;
  /** statement texts, in order, while not null (a test sets it to [] to see which ones ran) */
  log: string[] | null;
};

const holder = globalThis as typeof globalThis & { __arborStatements?: StatementTally };
export const statementTally: StatementTally = (holder.__arborStatements ??= { statements: 0, transactions: 0, log: null });

/** postgres.js sends a transaction's own BEGIN through `unsafe` too; those are counted as `transactions`. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

function counted(text: string): void {
  if (TRANSACTION_CONTROL.test(text)) return;
  statementTally.statements += 1;
  statementTally.log?.push(text);
}

/** Counts what postgres.js sends: drizzle runs every statement through `unsafe`, transactions through `begin`. */
export function countPostgresStatements(client: Sql): void {
  countUnsafe(client);
  const begin = client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>;
  client.begin = ((...args: unknown[]) => {
    const callback = args.pop() as (tx: TransactionSql) => unknown;
    statementTally.transactions += 1;
    return begin(...args, (tx: TransactionSql) => callback(countUnsafe(tx)));
  }) as Sql["begin"];
}

function countUnsafe<T extends Pick<Sql, "unsafe">>(sql: T): T {
  const unsafe = sql.unsafe.bind(sql);
  sql.unsafe = ((query: string, parameters?: unknown[], options?: Record<string, unknown>) => {
    counted(query);
    return unsafe(query, parameters as never, options as never);
  }) as Sql["unsafe"];
  return sql;
}

/** Counts what PGlite runs for drizzle: `query`, inside and outside `transaction`. */
export function countPgliteStatements(client: PGlite): void {
  const query = client.query.bind(client);
  client.query = ((text: string, ...rest: unknown[]) => {
    counted(text);
    return (query as (...a: unknown[]) => unknown)(text, ...rest);
  }) as PGlite["query"];
  const transaction = client.transaction.bind(client);
  client.transaction = (<T>(callback: (tx: Transaction) => Promise<T>) => {
    statementTally.transactions += 1;
    return transaction((tx) => {
      const txQuery = tx.query.bind(tx);
      tx.query = ((text: string, ...rest: unknown[]) => {
        counted(text);
        return (txQuery as (...a: unknown[]) => unknown)(text, ...rest);
      }) as Transaction["query"];
      return callback(tx);
    });
  }) as PGlite["transaction"];
}
