import "server-only";
import { type PGlite, parse, protocol, type Results } from "@electric-sql/pglite";

type QueryOptions = Parameters<PGlite["query"]>[2];
type Statement = { name: string; paramTypes: number[] };

/** Enough for every query shape the app has; past it, statements run unnamed as before. */
const MAX_STATEMENTS = 1_000;

/**
 * PGlite's query() parses and plans every statement from scratch, in six
 * protocol exchanges; in the server's own thread that is CPU a streamed
 * answer waits behind (over a millisecond for a statement with joins). Here a
 * statement with parameters is parsed once per text as a named prepared
 * statement (PostgreSQL then keeps its plan, as postgres.js does on Postgres)
 * and each run is one exchange: bind, describe, execute, sync. Locking, value
 * serialisation and result parsing are PGlite's own, through its public
 * protocol API. Returns the query function to install; `query` runs the rest.
 */
export function preparedQueries(client: PGlite, query: PGlite["query"]): PGlite["query"] {
  const statements = new Map<string, Statement>();
  const serialize = protocol.serialize;

  const run = async (text: string, params: unknown[], options: QueryOptions): Promise<Results> => {
    let statement = statements.get(text);
    if (!statement) {
      const name = `arbor_${statements.size}`;
      const described = await client.execProtocolStream(concat(serialize.parse({ name, text }), serialize.describe({ type: "S", name }), serialize.sync()), {
        syncToFs: false,
      });
      statement = { name, paramTypes: parse.parseDescribeStatementResults(described) };
      statements.set(text, statement);
    }
    const types = statement.paramTypes;
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializeValue = options?.serializers?.[types[i] ?? 0] ?? client.serializers[types[i] ?? 0];
      return serializeValue ? serializeValue(value) : String(value);
    });
    const messages = await client.execProtocolStream(
      concat(serialize.bind({ statement: statement.name, values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync()),
      { syncToFs: false },
    );
    await client.syncToFs();
    const [result] = parse.parseResults(messages, client.parsers, options);
    if (!result) throw new Error("a prepared statement returned no result");
    return result;
  };

  return (async (text: string, params?: unknown[], options?: QueryOptions) => {
    if (!params?.length || options?.blob || (statements.size >= MAX_STATEMENTS && !statements.has(text))) return query(text, params, options);
    await client._checkReady();
    // The same locks as query(): not inside another caller's transaction, not between another's statements.
    return client._runExclusiveTransaction(() => client._runExclusiveQuery(() => run(text, params, options)));
  }) as PGlite["query"];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
