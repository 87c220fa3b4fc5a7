// EventBridge event buses and rules in Postgres (migration 013). A rule's targets
// live on its row. Scheduled rules are claimed for firing as schedules are
// (FOR UPDATE SKIP LOCKED, their ticks written as async invocations in the
// transaction that moves next_fire_at on); PutEvents writes every invocation its
// entries matched in one transaction.
import type { Pool } from "pg";
import { boundedDb, jsonbText, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { type Fired, type Firing, writeFiring } from "./schedule-store.js";
import { changeTags, type TagsChange } from "./tags-column.js";

export const DEFAULT_BUS = "default";

export interface RuleTarget {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RoleArn?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  /** A queue of Stratus' SQS, of the rule's account, where events that finally fail are written. */
  DeadLetterConfig?: { Arn: string };
}

export interface Rule {
  accountId: string;
  busName: string;
  name: string;
  incarnation: string;
  scheduleExpression?: string;
  eventPattern?: string;
  state: "ENABLED" | "DISABLED";
  description?: string;
  roleArn?: string;
  tags: Record<string, string>;
  targets: RuleTarget[];
  anchor: Date;
  nextFireAt?: Date;
  createdAt: Date;
}

export interface EventBus {
  accountId: string;
  name: string;
  description?: string;
  tags: Record<string, string>;
  createdAt: Date;
  lastModified: Date;
}

interface RuleRow {
  account_id: string;
  bus_name: string;
  name: string;
  incarnation: string;
  schedule_expression: string | null;
  event_pattern: string | null;
  state: "ENABLED" | "DISABLED";
  description: string | null;
  role_arn: string | null;
  tags: Record<string, string>;
  targets: RuleTarget[];
  anchor: Date;
  next_fire_at: Date | null;
  created_at: Date;
}

interface BusRow {
  account_id: string;
  name: string;
  description: string | null;
  tags: Record<string, string>;
  created_at: Date;
  last_modified: Date;
}

const toRule = (r: RuleRow): Rule => ({
  accountId: r.account_id,
  busName: r.bus_name,
  name: r.name,
  incarnation: r.incarnation,
  ...(r.schedule_expression !== null ? { scheduleExpression: r.schedule_expression } : {}),
  ...(r.event_pattern !== null ? { eventPattern: r.event_pattern } : {}),
  state: r.state,
  ...(r.description !== null ? { description: r.description } : {}),
  ...(r.role_arn !== null ? { roleArn: r.role_arn } : {}),
  tags: r.tags,
  targets: r.targets,
  anchor: r.anchor,
  ...(r.next_fire_at ? { nextFireAt: r.next_fire_at } : {}),
  createdAt: r.created_at,
});

const toBus = (r: BusRow): EventBus => ({
  accountId: r.account_id,
  name: r.name,
  ...(r.description !== null ? { description: r.description } : {}),
  tags: r.tags,
  createdAt: r.created_at,
  lastModified: r.last_modified,
});

export function createPgEventStore(pool: Pool) {
  const db = boundedDb(pool, STATEMENT_TIMEOUT_MS);
  const ensureDefault = (accountId: string) =>
    db.query("INSERT INTO event_buses (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      accountId,
      DEFAULT_BUS,
    ]);

  return {
    /** Creates the bus; false if it exists. */
    async createBus(accountId: string, name: string, description: string | undefined, tags: Record<string, string>) {
      const res = await db.query(
        "INSERT INTO event_buses (account_id, name, description, tags) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [accountId, name, description ?? null, JSON.stringify(tags)],
      );
      return res.rowCount === 1;
    },
    async getBus(accountId: string, name: string): Promise<EventBus | undefined> {
      if (name === DEFAULT_BUS) await ensureDefault(accountId);
      const res = await db.query<BusRow>("SELECT * FROM event_buses WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
      ]);
      return res.rows[0] && toBus(res.rows[0]);
    },
    async listBuses(accountId: string, prefix: string, after: string, limit: number): Promise<EventBus[]> {
      await ensureDefault(accountId);
      const res = await db.query<BusRow>(
        `SELECT * FROM event_buses WHERE account_id = $1 AND starts_with(name, $2) AND name > $3
         ORDER BY name LIMIT $4`,
        [accountId, prefix, after, limit],
      );
      return res.rows.map(toBus);
    },
    /** Sets the bus's description (empty: none); false when there is no such bus. */
    async describeBus(accountId: string, name: string, description: string): Promise<boolean> {
      if (name === DEFAULT_BUS) await ensureDefault(accountId);
      const res = await db.query(
        "UPDATE event_buses SET description = $3, last_modified = now() WHERE account_id = $1 AND name = $2",
        [accountId, name, description === "" ? null : description],
      );
      return res.rowCount === 1;
    },
    /** Deletes the bus unless rules remain on it. */
    async deleteBus(accountId: string, name: string): Promise<"deleted" | "missing" | "has-rules"> {
      const res = await db.query<{ gone: boolean; rules: boolean }>(
        `WITH gone AS (
           DELETE FROM event_buses b WHERE account_id = $1 AND name = $2
             AND NOT EXISTS (SELECT 1 FROM event_rules r WHERE r.account_id = $1 AND r.bus_name = $2)
           RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM gone) AS gone,
                EXISTS (SELECT 1 FROM event_rules WHERE account_id = $1 AND bus_name = $2) AS rules`,
        [accountId, name],
      );
      const r = res.rows[0];
      return r?.gone ? "deleted" : r?.rules ? "has-rules" : "missing";
    },
    /**
     * Creates the rule or replaces its definition (its incarnation, creation, anchor
     * and targets stay); "no-bus" when its bus does not exist.
     */
    async saveRule(r: Rule): Promise<"saved" | "no-bus"> {
      if (r.busName === DEFAULT_BUS) await ensureDefault(r.accountId);
      const res = await db.query(
        `INSERT INTO event_rules (account_id, bus_name, name, incarnation, schedule_expression, event_pattern, state,
           description, role_arn, tags, anchor, next_fire_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
         WHERE EXISTS (SELECT 1 FROM event_buses WHERE account_id = $1 AND name = $2)
         ON CONFLICT (account_id, bus_name, name) DO UPDATE SET schedule_expression = $5, event_pattern = $6,
           state = $7, description = $8, role_arn = $9, tags = event_rules.tags || $10, next_fire_at = $12`,
        [
          r.accountId,
          r.busName,
          r.name,
          r.incarnation,
          r.scheduleExpression ?? null,
          r.eventPattern ?? null,
          r.state,
          r.description ?? null,
          r.roleArn ?? null,
          JSON.stringify(r.tags),
          r.anchor,
          r.nextFireAt ?? null,
        ],
      );
      return res.rowCount === 1 ? "saved" : "no-bus";
    },
    async getRule(accountId: string, busName: string, name: string): Promise<Rule | undefined> {
      const res = await db.query<RuleRow>(
        "SELECT * FROM event_rules WHERE account_id = $1 AND bus_name = $2 AND name = $3",
        [accountId, busName, name],
      );
      return res.rows[0] && toRule(res.rows[0]);
    },
    async listRules(accountId: string, busName: string, prefix: string, after: string, limit: number) {
      const res = await db.query<RuleRow>(
        `SELECT * FROM event_rules WHERE account_id = $1 AND bus_name = $2 AND starts_with(name, $3) AND name > $4
         ORDER BY name LIMIT $5`,
        [accountId, busName, prefix, after, limit],
      );
      return res.rows.map(toRule);
    },
    /** Deletes the rule unless targets remain on it. */
    async deleteRule(accountId: string, busName: string, name: string): Promise<"deleted" | "missing" | "has-targets"> {
      const key = [accountId, busName, name];
      const res = await db.query(
        "DELETE FROM event_rules WHERE account_id = $1 AND bus_name = $2 AND name = $3 AND targets = '[]'::jsonb",
        key,
      );
      if (res.rowCount === 1) return "deleted";
      return (await this.getRule(accountId, busName, name)) ? "has-targets" : "missing";
    },
    /** Sets the rule's state and next fire time; false if there is no rule. */
    async setState(r: Pick<Rule, "accountId" | "busName" | "name" | "state" | "nextFireAt">): Promise<boolean> {
      const res = await db.query(
        "UPDATE event_rules SET state = $4, next_fire_at = $5 WHERE account_id = $1 AND bus_name = $2 AND name = $3",
        [r.accountId, r.busName, r.name, r.state, r.nextFireAt ?? null],
      );
      return res.rowCount === 1;
    },
    /** Replaces the rule's targets with what `change` makes of them, the rule locked meanwhile; false if none. */
    changeTargets(
      accountId: string,
      busName: string,
      name: string,
      change: (targets: RuleTarget[]) => RuleTarget[],
    ): Promise<boolean> {
      return db.transaction(async (c) => {
        const key = [accountId, busName, name];
        const res = await c.query<{ targets: RuleTarget[] }>(
          "SELECT targets FROM event_rules WHERE account_id = $1 AND bus_name = $2 AND name = $3 FOR UPDATE",
          key,
        );
        const row = res.rows[0];
        if (!row) return false;
        await c.query("UPDATE event_rules SET targets = $4 WHERE account_id = $1 AND bus_name = $2 AND name = $3", [
          ...key,
          jsonbText(change(row.targets)),
        ]);
        return true;
      });
    },
    /**
     * Adds `add` to the tags of the rule `rule` on bus `busName` (of the bus itself when
     * `rule` is undefined) and removes `remove`, in one statement: "missing" when there
     * is no such rule or bus, "too-many" (nothing changed) when it would hold over 50.
     */
    async changeTags(
      accountId: string,
      busName: string,
      rule: string | undefined,
      add: Record<string, string>,
      remove: string[],
    ): Promise<TagsChange> {
      if (busName === DEFAULT_BUS) await ensureDefault(accountId);
      const target =
        rule === undefined
          ? {
              table: "event_buses",
              where: "account_id = $1 AND name = $2",
              key: [accountId, busName],
              exists: async () => (await this.getBus(accountId, busName)) !== undefined,
            }
          : {
              table: "event_rules",
              where: "account_id = $1 AND bus_name = $2 AND name = $3",
              key: [accountId, busName, rule],
              exists: async () => (await this.getRule(accountId, busName, rule)) !== undefined,
            };
      return changeTags(db, target, add, remove);
    },
    /** The bus's enabled rules with an event pattern and at least one target. */
    async patternRules(accountId: string, busName: string): Promise<Rule[]> {
      const res = await db.query<RuleRow>(
        `SELECT * FROM event_rules WHERE account_id = $1 AND bus_name = $2 AND state = 'ENABLED'
           AND event_pattern IS NOT NULL AND targets <> '[]'::jsonb`,
        [accountId, busName],
      );
      return res.rows.map(toRule);
    },
    /** Writes the invocations of one PutEvents call, all or none. */
    /** Writes matched events' deliveries in one transaction; how many queue messages were lost (queue gone). */
    async acceptEvents(d: Pick<Firing, "invocations" | "letters" | "starts" | "publishes">): Promise<number> {
      if (d.invocations.length === 0 && d.letters.length === 0 && !d.starts?.length && !d.publishes?.length) return 0;
      const fired = { written: 0, lost: 0 };
      await db.transaction((c) => writeFiring(c, { ...d, remove: false }, fired));
      return fired.lost;
    },
    /**
     * Claims up to `limit` scheduled rules due by now (none another control plane
     * holds), asks `fire` what each writes, and commits it all at once. Returns the
     * deliveries written and lost (schedule-store.ts).
     */
    fireDue(limit: number, fire: (r: Rule) => Firing): Promise<Fired> {
      return db.transaction(async (c) => {
        const due = await c.query<RuleRow>(
          `SELECT * FROM event_rules WHERE state = 'ENABLED' AND next_fire_at <= now()
           ORDER BY next_fire_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        const fired = { written: 0, lost: 0 };
        for (const row of due.rows) {
          const firing = fire(toRule(row));
          await writeFiring(c, firing, fired);
          await c.query(
            "UPDATE event_rules SET next_fire_at = $4 WHERE account_id = $1 AND bus_name = $2 AND name = $3",
            [row.account_id, row.bus_name, row.name, firing.next ?? null],
          );
        }
        return fired;
      });
    },
  };
}

export type EventStore = ReturnType<typeof createPgEventStore>;
