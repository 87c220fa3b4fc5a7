// SNS topics and subscriptions (migration 050), and the commit of a publish's
// deliveries: the only place their SQL lives.
import type { Pool } from "pg";
import type { Deliveries, FanoutCount } from "./deliveries.js";
import { boundedDb, jsonbText, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { writeFiring } from "./schedule-store.js";
import type { PublishRequest } from "./sns-publish-requests.js";

export interface Topic {
  id: string;
  accountId: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface Subscription {
  id: string;
  accountId: string;
  topicName: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  createdAt: Date;
}

/** Where a page of subscriptions ends: its last one's creation and id. */
export interface SubscriptionCursor {
  createdAt: Date;
  id: string;
}

export interface SnsStore {
  /** The topic, created unless it exists; `created` false when it did (its attributes and tags untouched). */
  createTopic(t: Omit<Topic, "id">): Promise<{ topic: Topic; created: boolean }>;
  getTopic(accountId: string, name: string): Promise<Topic | undefined>;
  deleteTopic(accountId: string, name: string): Promise<void>;
  /** The account's topics by name, up to `limit` after `after`. */
  listTopics(accountId: string, after: string | undefined, limit: number): Promise<Topic[]>;
  /** Sets one attribute (undefined: removes it) in one statement, so concurrent edits all hold; false: no such topic. */
  setTopicAttribute(accountId: string, name: string, attribute: string, value: string | undefined): Promise<boolean>;
  /**
   * Adds `add` to the topic's tags and removes `remove`, in one statement, unless the
   * result would hold more than `max`: "missing" (no such topic), "over" or "done".
   */
  editTopicTags(
    accountId: string,
    name: string,
    add: Record<string, string>,
    remove: string[],
    max: number,
  ): Promise<"missing" | "over" | "done">;
  /** The subscription, made unless the topic already has one to the same endpoint (then that one). */
  subscribe(s: Omit<Subscription, "createdAt">): Promise<Subscription | undefined>;
  getSubscription(id: string): Promise<Subscription | undefined>;
  unsubscribe(id: string): Promise<boolean>;
  setSubscriptionAttributes(id: string, attributes: Record<string, string>): Promise<boolean>;
  /** Subscriptions by creation, up to `limit` after the one `after` names: the account's, or one topic's. */
  listSubscriptions(
    accountId: string,
    topicName: string | undefined,
    after: SubscriptionCursor | undefined,
    limit: number,
  ): Promise<Subscription[]>;
  /** Every subscription of the topic (a publish's fan-out). */
  subscriptionsOf(accountId: string, topicName: string): Promise<Subscription[]>;
  countSubscriptions(topicId: string): Promise<number>;
  /** Commits the deliveries; how many queue messages were lost (their queue gone, no dead letter). */
  accept(d: Deliveries): Promise<number>;
  /**
   * Claims up to `limit` due publish requests (none another control plane holds), asks
   * `plan` what each writes, and commits those deliveries with the request's deletion;
   * a request `plan` fails for waits a little longer each time. `counted` hears of each
   * request written. Returns how many were claimed and invocations written.
   */
  drainPublishRequests(
    limit: number,
    plan: (r: PublishRequest & { createdAt: Date }) => Promise<{ into: Deliveries; count: FanoutCount } | "drop">,
    counted: (count: FanoutCount, lost: number) => void,
  ): Promise<{ claimed: number; invocations: number }>;
}

interface TopicRow {
  id: string;
  account_id: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

interface SubRow {
  id: string;
  account_id: string;
  topic_name: string;
  protocol: string;
  endpoint: string;
  attributes: Record<string, string>;
  created_at: Date;
}

interface RequestRow {
  id: string;
  account_id: string;
  topic_arn: string;
  message: string;
  subject: string | null;
  attributes: PublishRequest["attributes"];
  message_structure: "json" | null;
  created_at: Date;
}

const toRequest = (r: RequestRow): PublishRequest & { createdAt: Date } => ({
  id: r.id,
  accountId: r.account_id,
  topicArn: r.topic_arn,
  message: r.message,
  ...(r.subject !== null ? { subject: r.subject } : {}),
  attributes: r.attributes ?? {},
  ...(r.message_structure !== null ? { structure: r.message_structure } : {}),
  createdAt: r.created_at,
});

const toTopic = (r: TopicRow): Topic => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  attributes: r.attributes,
  tags: r.tags,
});

const toSub = (r: SubRow): Subscription => ({
  id: r.id,
  accountId: r.account_id,
  topicName: r.topic_name,
  protocol: r.protocol,
  endpoint: r.endpoint,
  attributes: r.attributes,
  createdAt: r.created_at,
});

const SUB_COLUMNS = "s.id, t.account_id, t.name AS topic_name, s.protocol, s.endpoint, s.attributes, s.created_at";
const SUB_FROM = "sns_subscriptions s JOIN sns_topics t ON t.id = s.topic_id";

export function createPgSnsStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): SnsStore {
  const db = boundedDb(pool, statementTimeoutMs);
  const topicOf = async (accountId: string, name: string) =>
    (await db.query<TopicRow>("SELECT * FROM sns_topics WHERE account_id = $1 AND name = $2", [accountId, name]))
      .rows[0];
  return {
    async createTopic(t) {
      const made = await db.query<TopicRow>(
        `INSERT INTO sns_topics (account_id, name, attributes, tags) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, name) DO NOTHING RETURNING *`,
        [t.accountId, t.name, jsonbText(t.attributes), jsonbText(t.tags)],
      );
      if (made.rows[0]) return { topic: toTopic(made.rows[0]), created: true };
      const found = await topicOf(t.accountId, t.name);
      // Deleted in between: the caller's create is answered as a fresh one would be.
      if (!found) return this.createTopic(t);
      return { topic: toTopic(found), created: false };
    },
    async getTopic(accountId, name) {
      const r = await topicOf(accountId, name);
      return r && toTopic(r);
    },
    async deleteTopic(accountId, name) {
      await db.query("DELETE FROM sns_topics WHERE account_id = $1 AND name = $2", [accountId, name]);
    },
    async listTopics(accountId, after, limit) {
      const res = await db.query<TopicRow>(
        `SELECT * FROM sns_topics WHERE account_id = $1 AND ($2::text IS NULL OR name > $2) ORDER BY name LIMIT $3`,
        [accountId, after ?? null, limit],
      );
      return res.rows.map(toTopic);
    },
    async setTopicAttribute(accountId, name, attribute, value) {
      const res = await db.query(
        `UPDATE sns_topics SET attributes = CASE WHEN $4::text IS NULL THEN attributes - $3
                                            ELSE attributes || jsonb_build_object($3::text, $4::text) END
          WHERE account_id = $1 AND name = $2`,
        [accountId, name, attribute, value ?? null],
      );
      return res.rowCount === 1;
    },
    async editTopicTags(accountId, name, add, remove, max) {
      const res = await db.query<{ n: number }>(
        `WITH t AS (SELECT id, (tags - $4::text[]) || $3::jsonb AS tags FROM sns_topics
                     WHERE account_id = $1 AND name = $2 FOR UPDATE),
         upd AS (UPDATE sns_topics s SET tags = t.tags FROM t
                  WHERE s.id = t.id AND (SELECT count(*) FROM jsonb_object_keys(t.tags)) <= $5 RETURNING 1)
         SELECT (SELECT count(*) FROM t)::int + (SELECT count(*) FROM upd)::int AS n`,
        [accountId, name, jsonbText(add), remove, max],
      );
      const n = res.rows[0]?.n ?? 0;
      return n === 0 ? "missing" : n === 1 ? "over" : "done";
    },
    async subscribe(s) {
      const res = await db.query<SubRow>(
        `WITH t AS (SELECT id, account_id, name FROM sns_topics WHERE account_id = $2 AND name = $3),
         ins AS (
           INSERT INTO sns_subscriptions (id, topic_id, protocol, endpoint, attributes)
           SELECT $1, t.id, $4, $5, $6 FROM t
           ON CONFLICT (topic_id, protocol, endpoint) DO NOTHING
           RETURNING id, topic_id, protocol, endpoint, attributes, created_at)
         SELECT i.id, t.account_id, t.name AS topic_name, i.protocol, i.endpoint, i.attributes, i.created_at
           FROM ins i, t
         UNION ALL
         SELECT ${SUB_COLUMNS} FROM ${SUB_FROM}
          WHERE t.account_id = $2 AND t.name = $3 AND s.protocol = $4 AND s.endpoint = $5`,
        [s.id, s.accountId, s.topicName, s.protocol, s.endpoint, jsonbText(s.attributes)],
      );
      return res.rows[0] && toSub(res.rows[0]);
    },
    async getSubscription(id) {
      const res = await db.query<SubRow>(`SELECT ${SUB_COLUMNS} FROM ${SUB_FROM} WHERE s.id = $1`, [id]);
      return res.rows[0] && toSub(res.rows[0]);
    },
    async unsubscribe(id) {
      return (await db.query("DELETE FROM sns_subscriptions WHERE id = $1", [id])).rowCount === 1;
    },
    async setSubscriptionAttributes(id, attributes) {
      const res = await db.query("UPDATE sns_subscriptions SET attributes = $2 WHERE id = $1", [
        id,
        jsonbText(attributes),
      ]);
      return res.rowCount === 1;
    },
    async listSubscriptions(accountId, topicName, after, limit) {
      const res = await db.query<SubRow>(
        `SELECT ${SUB_COLUMNS} FROM ${SUB_FROM}
          WHERE t.account_id = $1 AND ($2::text IS NULL OR t.name = $2)
            AND ($3::timestamptz IS NULL OR (s.created_at, s.id) > ($3, $4::uuid))
          ORDER BY s.created_at, s.id LIMIT $5`,
        [accountId, topicName ?? null, after?.createdAt ?? null, after?.id ?? null, limit],
      );
      return res.rows.map(toSub);
    },
    async subscriptionsOf(accountId, topicName) {
      const res = await db.query<SubRow>(
        `SELECT ${SUB_COLUMNS} FROM ${SUB_FROM} WHERE t.account_id = $1 AND t.name = $2 ORDER BY s.created_at, s.id`,
        [accountId, topicName],
        "sns-subscriptions-of",
      );
      return res.rows.map(toSub);
    },
    async countSubscriptions(topicId) {
      const res = await db.query<{ n: string }>("SELECT count(*) AS n FROM sns_subscriptions WHERE topic_id = $1", [
        topicId,
      ]);
      return Number(res.rows[0]?.n ?? 0);
    },
    async accept(d) {
      if (d.invocations.length === 0 && d.letters.length === 0 && d.starts.length === 0 && !d.publishes?.length)
        return 0;
      const fired = { written: 0, lost: 0 };
      await db.transaction((c) => writeFiring(c, { ...d, remove: false }, fired));
      return fired.lost;
    },
    drainPublishRequests(limit, plan, counted) {
      return db.transaction(async (c) => {
        const due = await c.query<RequestRow>(
          `SELECT id, account_id, topic_arn, message, subject, attributes, message_structure, created_at
             FROM sns_publish_requests
            WHERE next_try_at <= now() ORDER BY next_try_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        let invocations = 0;
        for (const r of due.rows) {
          let planned: Awaited<ReturnType<typeof plan>> | undefined;
          try {
            planned = await plan(toRequest(r));
          } catch {
            planned = undefined;
          }
          if (planned === undefined) {
            await c.query(
              `UPDATE sns_publish_requests SET attempts = attempts + 1,
                 next_try_at = now() + make_interval(secs => least(60, power(2, attempts))) WHERE id = $1`,
              [r.id],
            );
            continue;
          }
          if (planned !== "drop") {
            const fired = { written: 0, lost: 0 };
            await writeFiring(c, { ...planned.into, remove: false }, fired);
            invocations += planned.into.invocations.length;
            counted(planned.count, fired.lost);
          }
          await c.query("DELETE FROM sns_publish_requests WHERE id = $1", [r.id]);
        }
        return { claimed: due.rows.length, invocations };
      });
    },
  };
}
