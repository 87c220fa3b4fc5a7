// The console's Postgres tables (migration 031): sign-in sessions, keyed by the
// SHA-256 of their cookie's token, and each function's saved test events; and reads of
// the buckets' notification configurations (bucket_notifications), of the rules of
// every event bus (event_rules) and of the SNS subscriptions of every topic
// (sns_subscriptions, sns_topics) that name a function, for the Triggers tab.
import { functionOfArn } from "../schedules/firing.js";
import type { BoundedDb } from "../store/pg-helpers.js";

export interface SessionRow {
  accessKeyId: string;
  accountId: string;
  expiresAt: Date;
}

export interface TestEvent {
  name: string;
  payload: string;
  updatedAt: Date;
}

/** One bucket's notification configurations on a function, as stored (object-event-store.ts). */
export interface BucketBindings {
  bucket: string;
  configurations: { id: string; functionArn: string; events: string[]; prefix?: string; suffix?: string }[];
}

/** A stored configuration: a function's, or a queue's or topic's (which have no functionArn). */
type StoredBinding = Omit<BucketBindings["configurations"][number], "functionArn"> & { functionArn?: string };

/** An EventBridge rule, of any bus, with the targets of it that name the function. */
export interface RuleBinding {
  bus: string;
  name: string;
  state: string;
  scheduleExpression?: string;
  eventPattern?: string;
  targets: { id: string; arn: string }[];
}

/** The row of one rule target, as the query reads it. */
export interface RuleTargetRow {
  bus_name: string;
  name: string;
  state: string;
  schedule_expression: string | null;
  event_pattern: string | null;
  target_id: string;
  target_arn: string;
}

/** Whether a target ARN names the function (any qualifier) of this account. */
export function namesFunction(arn: string, accountId: string, functionName: string): boolean {
  const f = functionOfArn(arn);
  return f?.functionName === functionName && (f.accountId ?? accountId) === accountId;
}

/** Rows (ordered by bus, rule, target) grouped by rule, keeping only the targets on the function. */
export function groupRuleTargets(rows: RuleTargetRow[], accountId: string, functionName: string): RuleBinding[] {
  const out: RuleBinding[] = [];
  for (const r of rows) {
    if (!namesFunction(r.target_arn, accountId, functionName)) continue;
    let last = out[out.length - 1];
    if (last?.bus !== r.bus_name || last.name !== r.name) {
      last = {
        bus: r.bus_name,
        name: r.name,
        state: r.state,
        ...(r.schedule_expression !== null ? { scheduleExpression: r.schedule_expression } : {}),
        ...(r.event_pattern !== null ? { eventPattern: r.event_pattern } : {}),
        targets: [],
      };
      out.push(last);
    }
    last.targets.push({ id: r.target_id, arn: r.target_arn });
  }
  return out;
}

/** An SNS subscription, of any topic of the account, whose endpoint is the function (any qualifier). */
export interface SnsBinding {
  id: string;
  topicName: string;
  /** The function ARN subscribed. */
  endpoint: string;
  filterPolicy?: string;
  filterPolicyScope?: string;
}

/** The row of one lambda subscription, as the query reads it. */
export interface SnsSubscriptionRow {
  id: string;
  topic_name: string;
  endpoint: string;
  filter_policy: string | null;
  filter_policy_scope: string | null;
}

/** Rows (ordered by topic, then age) of the subscriptions whose endpoint names the function. */
export function snsBindingsOf(rows: SnsSubscriptionRow[], accountId: string, functionName: string): SnsBinding[] {
  return rows
    .filter((r) => namesFunction(r.endpoint, accountId, functionName))
    .map((r) => ({
      id: r.id,
      topicName: r.topic_name,
      endpoint: r.endpoint,
      ...(r.filter_policy ? { filterPolicy: r.filter_policy } : {}),
      ...(r.filter_policy && r.filter_policy_scope ? { filterPolicyScope: r.filter_policy_scope } : {}),
    }));
}

export interface ConsoleStore {
  /** The account's SNS subscriptions, of every topic, whose endpoint is a function of this name (any qualifier). */
  snsBindingsOf(accountId: string, functionName: string): Promise<SnsBinding[]>;
  /** The account's rules, on every event bus, with a target naming a function of this name (any qualifier). */
  ruleBindingsOf(accountId: string, functionName: string): Promise<RuleBinding[]>;
  /** The account's buckets with a notification configuration naming a function of this name (any qualifier). */
  bucketBindingsOf(accountId: string, functionName: string): Promise<BucketBindings[]>;
  /** Records a session; also drops the expired ones, so the table holds only live sessions and a few more. */
  createSession(hash: Buffer, accessKeyId: string, expiresAt: Date): Promise<void>;
  /** The unexpired session of this hash whose key still exists, or undefined. */
  findSession(hash: Buffer): Promise<SessionRow | undefined>;
  deleteSession(hash: Buffer): Promise<void>;
  listTestEvents(accountId: string, functionName: string): Promise<TestEvent[]>;
  /** Creates or replaces; refused (false) when the function already has `max` other events. */
  putTestEvent(accountId: string, functionName: string, name: string, payload: string, max: number): Promise<boolean>;
  /** False when there was no such event. */
  deleteTestEvent(accountId: string, functionName: string, name: string): Promise<boolean>;
}

export function createPgConsoleStore(db: BoundedDb): ConsoleStore {
  return {
    async bucketBindingsOf(accountId, functionName) {
      const res = await db.query<{ bucket: string; configurations: StoredBinding[] }>(
        "SELECT bucket, configurations FROM bucket_notifications WHERE account_id = $1 ORDER BY bucket",
        [accountId],
      );
      const ours = (c: StoredBinding): c is BucketBindings["configurations"][number] =>
        c.functionArn !== undefined && namesFunction(c.functionArn, accountId, functionName);
      return res.rows
        .map((r) => ({ bucket: r.bucket, configurations: r.configurations.filter(ours) }))
        .filter((r) => r.configurations.length > 0);
    },
    async snsBindingsOf(accountId, functionName) {
      // One query over every topic: SNS's own API would take ListSubscriptions over the
      // whole account. strpos narrows it in SQL; snsBindingsOf makes the exact match.
      const res = await db.query<SnsSubscriptionRow>(
        `SELECT s.id, t.name AS topic_name, s.endpoint,
                s.attributes->>'FilterPolicy' AS filter_policy,
                s.attributes->>'FilterPolicyScope' AS filter_policy_scope
           FROM sns_subscriptions s JOIN sns_topics t ON t.id = s.topic_id
          WHERE t.account_id = $1 AND s.protocol = 'lambda' AND strpos(s.endpoint, $2) > 0
          ORDER BY t.name, s.created_at, s.id`,
        [accountId, `:function:${functionName}`],
      );
      return snsBindingsOf(res.rows, accountId, functionName);
    },
    async ruleBindingsOf(accountId, functionName) {
      // One query over every bus: EventBridge's own API would take ListRules and
      // ListTargetsByRule per rule of each bus. The ARN's function part narrows it in
      // SQL (strpos, not LIKE: a name may hold "_"); groupRuleTargets makes the exact match.
      const res = await db.query<RuleTargetRow>(
        `SELECT r.bus_name, r.name, r.state, r.schedule_expression, r.event_pattern,
                t->>'Id' AS target_id, t->>'Arn' AS target_arn
           FROM event_rules r CROSS JOIN LATERAL jsonb_array_elements(r.targets) t
          WHERE r.account_id = $1 AND strpos(t->>'Arn', $2) > 0
          ORDER BY r.bus_name, r.name, t->>'Id'`,
        [accountId, `:function:${functionName}`],
      );
      return groupRuleTargets(res.rows, accountId, functionName);
    },
    async createSession(hash, accessKeyId, expiresAt) {
      await db.query("DELETE FROM console_sessions WHERE expires_at < now()");
      await db.query("INSERT INTO console_sessions (token_sha256, access_key_id, expires_at) VALUES ($1, $2, $3)", [
        hash,
        accessKeyId,
        expiresAt,
      ]);
    },
    async findSession(hash) {
      const res = await db.query<{ access_key_id: string; account_id: string; expires_at: Date }>(
        `SELECT s.access_key_id, k.account_id, s.expires_at FROM console_sessions s
           JOIN access_keys k ON k.access_key_id = s.access_key_id
          WHERE s.token_sha256 = $1 AND s.expires_at > now()`,
        [hash],
      );
      const row = res.rows[0];
      return row ? { accessKeyId: row.access_key_id, accountId: row.account_id, expiresAt: row.expires_at } : undefined;
    },
    async deleteSession(hash) {
      await db.query("DELETE FROM console_sessions WHERE token_sha256 = $1", [hash]);
    },
    async listTestEvents(accountId, functionName) {
      const res = await db.query<{ name: string; payload: string; updated_at: Date }>(
        "SELECT name, payload, updated_at FROM console_test_events WHERE account_id = $1 AND function_name = $2 ORDER BY name",
        [accountId, functionName],
      );
      return res.rows.map((r) => ({ name: r.name, payload: r.payload, updatedAt: r.updated_at }));
    },
    async putTestEvent(accountId, functionName, name, payload, max) {
      // One statement: the count of the others and the write cannot be split by a concurrent save.
      const res = await db.query(
        `INSERT INTO console_test_events (account_id, function_name, name, payload)
         SELECT $1, $2, $3, $4
          WHERE (SELECT count(*) FROM console_test_events
                  WHERE account_id = $1 AND function_name = $2 AND name <> $3) < $5
         ON CONFLICT (account_id, function_name, name) DO UPDATE SET payload = EXCLUDED.payload, updated_at = now()`,
        [accountId, functionName, name, payload, max],
      );
      return (res.rowCount ?? 0) > 0;
    },
    async deleteTestEvent(accountId, functionName, name) {
      const res = await db.query(
        "DELETE FROM console_test_events WHERE account_id = $1 AND function_name = $2 AND name = $3",
        [accountId, functionName, name],
      );
      return (res.rowCount ?? 0) > 0;
    },
  };
}
