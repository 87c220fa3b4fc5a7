// CloudWatch Logs' groups, streams and events in Postgres (migration 018). The only
// place their SQL lives. Every read is scoped by account and bounded by a LIMIT; the
// retention and cap sweep is log-sweep-store.ts's.
import type { Pool } from "pg";
import { LOG_EVENTS_CHANNEL, notices } from "./log-notify.js";
import { deleteEvents } from "./log-sweep-store.js";
import { eventBytes, type LogEvent, type LogGroup, type LogStream, type StreamBatch } from "./log-types.js";
import { type BoundedDb, boundedDb, pgText, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

/** A position between events: (timestamp, id); ids order events of one millisecond. */
export interface Cursor {
  ts: number;
  id: bigint;
}

export interface EventQuery {
  startTime?: number;
  /** Exclusive, as CloudWatch's endTime. */
  endTime?: number;
  /** Only events after it (forward) or before it (backward). */
  cursor?: Cursor;
  backward?: boolean;
  limit: number;
}

export interface GroupEventQuery extends EventQuery {
  streams?: string[];
  streamPrefix?: string;
}

export interface StreamQuery {
  prefix?: string;
  byLastEvent: boolean;
  descending: boolean;
  /** The last stream of the previous page: its name, and with byLastEvent its last event time. */
  after?: { name: string; lastEventAt: number };
  limit: number;
}

interface EventRow {
  id: string;
  stream_name: string;
  ts: string;
  ingested_at: string;
  message: string;
}

const toEvent = (r: EventRow): LogEvent => ({
  id: r.id,
  stream: r.stream_name,
  timestamp: Number(r.ts),
  ingestionTime: Number(r.ingested_at),
  message: r.message,
});

/** `like`'s pattern for names starting with `prefix`. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, "\\$&")}%`;

/** SQL conditions (and their values, numbered from `from`) of an event query's time range and cursor. */
function eventConditions(q: EventQuery, from: number): { sql: string[]; values: unknown[] } {
  const sql: string[] = [];
  const values: unknown[] = [];
  const add = (cond: (n: number) => string, ...v: unknown[]) => {
    sql.push(cond(from + values.length));
    values.push(...v);
  };
  if (q.startTime !== undefined) add((n) => `ts >= $${n}`, q.startTime);
  if (q.endTime !== undefined) add((n) => `ts < $${n}`, q.endTime);
  if (q.cursor) add((n) => `(ts, id) ${q.backward ? "<" : ">"} ($${n}, $${n + 1})`, q.cursor.ts, String(q.cursor.id));
  return { sql, values };
}

export function createPgLogEventStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS) {
  const db = boundedDb(pool, statementTimeoutMs);

  /** The group, read in the caller's transaction `tx` if given. */
  async function getGroup(accountId: string, name: string, tx: BoundedDb = db): Promise<LogGroup | undefined> {
    const res = await tx.query<GroupRow>(
      `SELECT ${GROUP_COLUMNS} FROM log_groups WHERE account_id = $1 AND name = $2`,
      [accountId, name],
    );
    return res.rows[0] && toGroup(res.rows[0]);
  }

  async function queryEvents(base: string, baseValues: unknown[], q: EventQuery): Promise<LogEvent[]> {
    const c = eventConditions(q, baseValues.length + 1);
    const order = q.backward ? "ts DESC, id DESC" : "ts, id";
    const res = await db.query<EventRow>(
      `SELECT id, stream_name, ts, ingested_at, message FROM log_events
       WHERE ${[base, ...c.sql].join(" AND ")} ORDER BY ${order} LIMIT ${Math.trunc(q.limit)}`,
      [...baseValues, ...c.values],
    );
    const events = res.rows.map(toEvent);
    return q.backward ? events.reverse() : events;
  }

  return {
    /**
     * Writes new events, creating their groups and streams (groups in one order, so
     * concurrent batches never deadlock), in the caller's transaction `tx` if given;
     * and notifies LOG_EVENTS_CHANNEL of them, as from `origin` (log-notify.ts).
     */
    async append(batches: StreamBatch[], tx?: BoundedDb, now = Date.now(), origin = ""): Promise<void> {
      const live = batches.filter((b) => b.events.length > 0);
      if (live.length === 0) return;
      const groups = new Map<string, { accountId: string; group: string; bytes: number }>();
      const streams = new Map<string, { b: StreamBatch; first: number; last: number }>();
      for (const b of live) {
        const gk = `${b.accountId}\0${b.group}`;
        const g = groups.get(gk) ?? { accountId: b.accountId, group: b.group, bytes: 0 };
        g.bytes += b.events.reduce((n, e) => n + eventBytes(e.message), 0);
        groups.set(gk, g);
        const times = b.events.map((e) => e.timestamp);
        const sk = `${gk}\0${b.stream}`;
        const s = streams.get(sk);
        const first = Math.min(...times, s?.first ?? Number.POSITIVE_INFINITY);
        const last = Math.max(...times, s?.last ?? 0);
        streams.set(sk, { b, first, last });
      }
      const gs = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => g);
      const ss = [...streams.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, s]) => s);
      const events = live.flatMap((b) => b.events.map((e) => ({ b, e })));
      const write = async (c: BoundedDb) => {
        await c.query(
          `INSERT INTO log_groups (account_id, name, stored_bytes)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
           ON CONFLICT (account_id, name) DO UPDATE SET stored_bytes = log_groups.stored_bytes + EXCLUDED.stored_bytes`,
          [gs.map((g) => g.accountId), gs.map((g) => g.group), gs.map((g) => g.bytes)],
        );
        await c.query(
          `INSERT INTO log_streams (account_id, group_name, name, first_event_at, last_event_at, last_ingestion_at)
           SELECT a, g, n, f, l, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS t(a, g, n, f, l)
           ON CONFLICT (account_id, group_name, name) DO UPDATE SET
             first_event_at = CASE WHEN log_streams.first_event_at = 0 THEN EXCLUDED.first_event_at
               ELSE LEAST(log_streams.first_event_at, EXCLUDED.first_event_at) END,
             last_event_at = GREATEST(log_streams.last_event_at, EXCLUDED.last_event_at),
             last_ingestion_at = EXCLUDED.last_ingestion_at`,
          [
            ss.map((s) => s.b.accountId),
            ss.map((s) => s.b.group),
            ss.map((s) => s.b.stream),
            ss.map((s) => s.first),
            ss.map((s) => s.last),
            now,
          ],
        );
        const inserted = await c.query<{ id: string; account_id: string; group_name: string }>(
          `INSERT INTO log_events (account_id, group_name, stream_name, ts, ingested_at, message)
           SELECT a, g, s, t, $5, m FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $6::text[]) AS x(a, g, s, t, m)
           RETURNING id, account_id, group_name`,
          [
            events.map((x) => x.b.accountId),
            events.map((x) => x.b.group),
            events.map((x) => x.b.stream),
            events.map((x) => x.e.timestamp),
            now,
            events.map((x) => pgText(x.e.message)),
          ],
        );
        // Told to every control plane's live tails once (and only if) the transaction commits.
        for (const payload of notices(inserted.rows, origin)) {
          await c.query("SELECT pg_notify($1, $2)", [LOG_EVENTS_CHANNEL, payload]);
        }
      };
      await (tx ? write(tx) : db.transaction(write));
    },

    /** False when the group already exists. */
    async createGroup(accountId: string, name: string, tags: Record<string, string> = {}): Promise<boolean> {
      const res = await db.query(
        "INSERT INTO log_groups (account_id, name, tags) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [accountId, name, JSON.stringify(tags)],
      );
      return (res.rowCount ?? 0) > 0;
    },

    getGroup,

    /** Groups by name, after `after`; `contains`: a case-insensitive part of the name. */
    async listGroups(
      accountId: string,
      q: { prefix?: string; contains?: string; after?: string; limit: number },
    ): Promise<LogGroup[]> {
      const res = await db.query<GroupRow>(
        `SELECT ${GROUP_COLUMNS} FROM log_groups WHERE account_id = $1
           AND ($2::text IS NULL OR name LIKE $2) AND ($3::text IS NULL OR strpos(lower(name), lower($3)) > 0)
           AND ($4::text IS NULL OR name > $4)
         ORDER BY name LIMIT ${Math.trunc(q.limit)}`,
        [accountId, q.prefix === undefined ? null : likePrefix(q.prefix), q.contains ?? null, q.after ?? null],
      );
      return res.rows.map(toGroup);
    },

    /** False when there is no such group. `days` undefined removes the policy. */
    async setRetention(accountId: string, name: string, days: number | undefined): Promise<boolean> {
      const res = await db.query("UPDATE log_groups SET retention_days = $3 WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
        days ?? null,
      ]);
      return (res.rowCount ?? 0) > 0;
    },

    /** Deletes the group, its streams, then its events in batches. False when there was no such group. */
    async deleteGroup(accountId: string, name: string): Promise<boolean> {
      const res = await db.transaction(async (c) => {
        await c.query("DELETE FROM log_streams WHERE account_id = $1 AND group_name = $2", [accountId, name]);
        return c.query("DELETE FROM log_groups WHERE account_id = $1 AND name = $2", [accountId, name]);
      });
      await deleteEvents(db, accountId, name, "TRUE", []);
      return (res.rowCount ?? 0) > 0;
    },

    /** An empty stream (no events: its times read 0); false when it exists, undefined when the group does not. */
    async createStream(accountId: string, group: string, name: string): Promise<boolean | undefined> {
      const res = await db.query<{ made: boolean }>(
        `WITH g AS (SELECT 1 FROM log_groups WHERE account_id = $1 AND name = $2),
         ins AS (
           INSERT INTO log_streams (account_id, group_name, name, first_event_at, last_event_at, last_ingestion_at)
           SELECT $1, $2, $3, 0, 0, 0 FROM g ON CONFLICT DO NOTHING RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM ins) AS made FROM g`,
        [accountId, group, name],
      );
      return res.rows[0]?.made;
    },

    /** Deletes the stream, then its events in batches. False when there was no such stream. */
    async deleteStream(accountId: string, group: string, name: string): Promise<boolean> {
      const res = await db.query("DELETE FROM log_streams WHERE account_id = $1 AND group_name = $2 AND name = $3", [
        accountId,
        group,
        name,
      ]);
      if ((res.rowCount ?? 0) === 0) return false;
      await deleteEvents(db, accountId, group, "stream_name = $3", [name]);
      return true;
    },

    async getStream(accountId: string, group: string, name: string): Promise<LogStream | undefined> {
      const res = await db.query<StreamRow>(
        `SELECT ${STREAM_COLUMNS} FROM log_streams WHERE account_id = $1 AND group_name = $2 AND name = $3`,
        [accountId, group, name],
      );
      return res.rows[0] && toStream(res.rows[0]);
    },

    async listStreams(accountId: string, group: string, q: StreamQuery): Promise<LogStream[]> {
      const dir = q.descending ? "DESC" : "ASC";
      const cmp = q.descending ? "<" : ">";
      const key = q.byLastEvent ? "(last_event_at, name)" : "name";
      const after = q.after ? (q.byLastEvent ? [q.after.lastEventAt, q.after.name] : [q.after.name]) : [];
      const afterSql = q.after ? `AND ${key} ${cmp} (${after.map((_, i) => `$${4 + i}`).join(", ")})` : "";
      const res = await db.query<StreamRow>(
        `SELECT ${STREAM_COLUMNS} FROM log_streams WHERE account_id = $1 AND group_name = $2
           AND ($3::text IS NULL OR name LIKE $3) ${afterSql}
         ORDER BY ${q.byLastEvent ? `last_event_at ${dir}, name ${dir}` : `name ${dir}`} LIMIT ${Math.trunc(q.limit)}`,
        [accountId, group, q.prefix === undefined ? null : likePrefix(q.prefix), ...after],
      );
      return res.rows.map(toStream);
    },

    /** Events by id, of one group: those a notice names (log-notify.ts), in time order. */
    async eventsByIds(accountId: string, group: string, ranges: [string, string][]): Promise<LogEvent[]> {
      const res = await db.query<EventRow>(
        `SELECT id, stream_name, ts, ingested_at, message FROM log_events e
         JOIN unnest($3::bigint[], $4::bigint[]) AS r(lo, hi) ON e.id BETWEEN r.lo AND r.hi
         WHERE account_id = $1 AND group_name = $2 ORDER BY ts, id LIMIT 10000`,
        [accountId, group, ranges.map((r) => r[0]), ranges.map((r) => r[1])],
      );
      return res.rows.map(toEvent);
    },

    /** One stream's events in time order. */
    streamEvents(accountId: string, group: string, stream: string, q: EventQuery): Promise<LogEvent[]> {
      return queryEvents("account_id = $1 AND group_name = $2 AND stream_name = $3", [accountId, group, stream], q);
    },

    /** A group's events in time order, of the named streams or those starting with a prefix. */
    groupEvents(accountId: string, group: string, q: GroupEventQuery): Promise<LogEvent[]> {
      if (q.streams) {
        return queryEvents(
          "account_id = $1 AND group_name = $2 AND stream_name = ANY($3)",
          [accountId, group, q.streams],
          q,
        );
      }
      if (q.streamPrefix !== undefined) {
        return queryEvents(
          "account_id = $1 AND group_name = $2 AND stream_name LIKE $3",
          [accountId, group, likePrefix(q.streamPrefix)],
          q,
        );
      }
      return queryEvents("account_id = $1 AND group_name = $2", [accountId, group], q);
    },
  };
}

export type LogEventStore = ReturnType<typeof createPgLogEventStore>;

const GROUP_COLUMNS = "name, created_at, retention_days, stored_bytes";

interface GroupRow {
  name: string;
  created_at: Date;
  retention_days: number | null;
  stored_bytes: string;
}

const toGroup = (r: GroupRow): LogGroup => ({
  name: r.name,
  createdAt: r.created_at.getTime(),
  ...(r.retention_days !== null ? { retentionDays: r.retention_days } : {}),
  storedBytes: Number(r.stored_bytes),
});

const STREAM_COLUMNS = "name, created_at, first_event_at, last_event_at, last_ingestion_at";

interface StreamRow {
  name: string;
  created_at: Date;
  first_event_at: string;
  last_event_at: string;
  last_ingestion_at: string;
}

const toStream = (r: StreamRow): LogStream => ({
  name: r.name,
  createdAt: r.created_at.getTime(),
  firstEventAt: Number(r.first_event_at),
  lastEventAt: Number(r.last_event_at),
  lastIngestionAt: Number(r.last_ingestion_at),
});
