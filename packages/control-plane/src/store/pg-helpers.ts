// Small helpers shared by the Postgres stores. Every store statement is bounded: on
// a connection that stops answering without closing (a partition, a NAT that dropped
// the flow, a stopped or hung server) a statement would otherwise wait for ever, and
// the request behind it with it.
import { errors } from "@stratus/shared";
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from "pg";

/** How long one store statement may take unless the store is told otherwise. */
export const STATEMENT_TIMEOUT_MS = 10_000;

/** Runs statements, each within a bound (see `bounded`). */
export interface BoundedDb {
  /**
   * `name`: the statement is prepared under it once per connection, and run from there
   * after (Postgres parses and analyses it once, and still plans each run).
   */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
    name?: string,
  ): Promise<QueryResult<R>>;
}

/** A pool whose statements are each bounded, with transactions and sessions bounded alike. */
export interface Db extends BoundedDb {
  /** Runs `work` in a transaction; a client that cannot even roll back is dropped from the pool. */
  transaction<T>(work: (c: BoundedDb) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one connection held for it (for session state: an advisory lock).
   * A connection on which a statement failed is dropped, not pooled again.
   */
  session<T>(work: (c: BoundedDb) => Promise<T>): Promise<T>;
}

// node-postgres' own messages for its client-side timeouts: a statement's
// (query_timeout), the wait for a pooled connection, and a new connection's.
const TIMEOUTS = [
  "Query read timeout",
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
];

/** `err`, or a ServiceException saying that the database did not answer when it is one of pg's timeouts. */
function unanswered(err: unknown, timeoutMs: number): unknown {
  if (!(err instanceof Error) || !TIMEOUTS.includes(err.message)) return err;
  const out = errors.service(`The database did not answer within ${timeoutMs} ms`);
  out.cause = err;
  return out;
}

/**
 * Whether Postgres refused the data itself (SQLSTATE class 22, data exception, or 23,
 * integrity constraint violation): the same statement with the same values would be
 * refused again. Other failures (a connection lost, a timeout, a deadlock, a server
 * shutting down) may pass when tried again.
 */
export function isDataError(err: unknown): boolean {
  return /^2[23][0-9A-Z]{3}$/.test(sqlState(err) ?? "");
}

/**
 * Whether Postgres itself answered `err` (any SQLSTATE): the connection and its
 * transaction go on. A client-side timeout or a lost connection carries none.
 */
export const answeredByPostgres = (err: unknown): boolean => /^[0-9A-Z]{5}$/.test(sqlState(err) ?? "");

/** The SQLSTATE pg gives an error Postgres answered with, if `err` is one. */
function sqlState(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** U+0000, and UTF-16 surrogates not in a pair: a jsonb value can hold neither. */
const NOT_FOR_JSONB = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const forJsonb = (s: string) => s.replace(NOT_FOR_JSONB, "\uFFFD");

/**
 * Whether Postgres can store `s` as it is, in text and in jsonb: no U+0000, no
 * unpaired surrogate. Input a user names or describes things with is refused
 * otherwise (an InvalidParameterValueException, not a failed write).
 */
export const storableText = (s: string): boolean => s.search(NOT_FOR_JSONB) < 0;

/**
 * `s` for a text column: U+0000, which Postgres text cannot hold, replaced by U+FFFD.
 * For text written by user code (a function's log): refused, it would fail its
 * whole batch, and every resend of it.
 */
export const pgText = (s: string): string => (s.includes("\0") ? s.replaceAll("\0", "\uFFFD") : s);

/**
 * The JSON text of `value` for a jsonb column, with what jsonb cannot hold (U+0000,
 * lone surrogates) replaced by U+FFFD in strings and keys. Values such as a
 * function's error come from user code: refused, they would fail every write of the
 * row for good.
 */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string") return forJsonb(v);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const entries = Object.entries(v);
    return entries.some(([k]) => forJsonb(k) !== k) ? Object.fromEntries(entries.map(([k, x]) => [forJsonb(k), x])) : v;
  });
}

/**
 * `c` with each statement bounded by `timeoutMs` (pg's client-side query_timeout). A
 * statement past it fails with a ServiceException, and pool.query drops that
 * connection rather than hand it to the next caller.
 */
export function bounded(c: Pool | PoolClient, timeoutMs: number): BoundedDb {
  return {
    async query<R extends QueryResultRow>(text: string, values?: unknown[], name?: string) {
      try {
        // query_timeout is read per query by pg, though its types only know it as a pool setting.
        return await c.query<R>({ text, values, ...(name ? { name } : {}), query_timeout: timeoutMs } as QueryConfig);
      } catch (err) {
        throw unanswered(err, timeoutMs);
      }
    },
  };
}

/**
 * Runs `work` on a client checked out of `pool`, the wait bounded by the pool itself
 * (its connectionTimeoutMillis). A checked-out client has no pool listener: its
 * connection breaking while `work` awaits something else (no query running) would be
 * an uncaught error, and end the process. Noted here, it drops the client at release,
 * as does `drop` (a client that may have stopped answering).
 */
async function withClient<T>(
  pool: Pool,
  timeoutMs: number,
  work: (client: PoolClient, drop: (err: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect().catch((err: unknown) => Promise.reject(unanswered(err, timeoutMs)));
  let broken: Error | undefined;
  const drop = (err: Error) => {
    broken ??= err;
  };
  client.on("error", drop);
  try {
    return await work(client, drop);
  } finally {
    client.removeListener("error", drop);
    client.release(broken);
  }
}

/** `pool` with every statement bounded by `timeoutMs`, in transactions and sessions too. */
export function boundedDb(pool: Pool, timeoutMs: number): Db {
  return {
    query: bounded(pool, timeoutMs).query,
    // BEGIN, COMMIT and ROLLBACK are bounded like `work`'s statements. A client that
    // cannot even roll back is dropped from the pool: its connection may have stopped answering.
    transaction: (work) =>
      withClient(pool, timeoutMs, async (client, drop) => {
        const c = bounded(client, timeoutMs);
        try {
          await c.query("BEGIN");
          const out = await work(c);
          await c.query("COMMIT");
          return out;
        } catch (err) {
          await c.query("ROLLBACK").catch(drop);
          throw err;
        }
      }),
    session: (work) =>
      withClient(pool, timeoutMs, async (client, drop) => {
        try {
          return await work(bounded(client, timeoutMs));
        } catch (err) {
          drop(err instanceof Error ? err : new Error(String(err)));
          throw err;
        }
      }),
  };
}
