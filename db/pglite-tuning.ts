import "server-only";
import { type PGlite, type Transaction, types } from "@electric-sql/pglite";
import { preparedQueries } from "./pglite-prepared";

type QueryOptions = Parameters<PGlite["query"]>[2];

/**
 * The parser overrides drizzle sends with every PGlite query: dates, times and
 * intervals (and their arrays, and numeric[]) stay text, and drizzle's column
 * types parse them. Identity functions, the same for every query.
 */
const DRIZZLE_TEXT_TYPES = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182];

/**
 * Costs of running PGlite in the server's own thread, removed at the
 * boundary (this client only ever serves drizzle):
 *
 * - An in-memory query never waits on I/O, so a chain of queries holds the
 *   event loop until the chain ends: a streamed answer would not reach its
 *   socket while its producer goes on to settle the bill. Each statement and
 *   transaction first lets pending I/O run (one event loop turn, microseconds
 *   when nothing is waiting).
 * - PGlite applies per-query parser overrides by copying its whole parser
 *   table (300+ types) — a quarter of a millisecond per statement, more in GC.
 *   drizzle's overrides go into the table once instead, and are dropped from
 *   each query.
 * - Statements outside transactions run as named prepared statements
 *   (./pglite-prepared.ts): parsed and planned once per text.
 */
export function tunePglite(client: PGlite): void {
  for (const oid of DRIZZLE_TEXT_TYPES) client.parsers[oid] = (value: string) => value;
  const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const query = preparedQueries(client, client.query.bind(client));
  const transaction = client.transaction.bind(client);
  client.query = (async (text: string, params?: unknown[], options?: QueryOptions) => {
    await ioTurn();
    return query(text, params, withoutMergedParsers(options));
  }) as PGlite["query"];
  client.transaction = (async <T>(callback: (tx: Transaction) => Promise<T>) => {
    await ioTurn();
    return transaction((tx) => {
      const txQuery = tx.query.bind(tx);
      tx.query = ((text: string, params?: unknown[], options?: QueryOptions) => txQuery(text, params, withoutMergedParsers(options))) as Transaction["query"];
      return callback(tx);
    });
  }) as PGlite["transaction"];
}

/** The options without drizzle's parser overrides, which the client's table already holds. */
function withoutMergedParsers(options: QueryOptions): QueryOptions {
  if (!options?.parsers) return options;
  const keys = Object.keys(options.parsers).map(Number);
  if (!keys.every((oid) => DRIZZLE_TEXT_TYPES.includes(oid))) return options;
  const { parsers: _merged, ...rest } = options;
  return rest;
}
