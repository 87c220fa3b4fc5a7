// Small helpers shared by the Postgres stores.
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from "pg";

/** Runs statements, each within a bound (see `bounded`). */
export interface BoundedDb {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * `c` with each statement bounded by `timeoutMs` (pg's client-side query_timeout). On a
 * connection that stops answering without closing (a partition, a hung server) a
 * statement would otherwise wait for ever; bounded, it fails, and pool.query drops
 * that connection rather than hand it to the next caller.
 */
export function bounded(c: Pool | PoolClient, timeoutMs: number): BoundedDb {
  return {
    query<R extends QueryResultRow>(text: string, values?: unknown[]) {
      // query_timeout is read per query by pg, though its types only know it as a pool setting.
      return c.query<R>({ text, values, query_timeout: timeoutMs } as QueryConfig);
    },
  };
}

/**
 * Runs `work` in a transaction. With `timeoutMs`, BEGIN, COMMIT and ROLLBACK are
 * bounded (`work` bounds its own statements). A client that cannot even roll back is
 * dropped from the pool: its connection may have stopped answering.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (c: PoolClient) => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  const client = await pool.connect();
  const run = (text: string) => (timeoutMs === undefined ? client.query(text) : bounded(client, timeoutMs).query(text));
  let broken: Error | undefined;
  // A checked-out client has no pool listener: its connection breaking while `work`
  // awaits something else (no query running) would be an uncaught error, and end the
  // process. Noted here, it drops the client at release.
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on("error", onError);
  try {
    await run("BEGIN");
    const out = await work(client);
    await run("COMMIT");
    return out;
  } catch (err) {
    await run("ROLLBACK").catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw err;
  } finally {
    client.removeListener("error", onError);
    client.release(broken);
  }
}
