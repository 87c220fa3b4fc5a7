// Metric alarms in Postgres (migration 048). Every change to an alarm and the history
// item that records it (alarm-history.ts) commit together; a state change also
// commits its actions' async invocations (acceptInTransaction, as a schedule's tick
// does). Due alarms are claimed FOR UPDATE SKIP LOCKED and their next evaluation time
// moved on in the same transaction, so several control planes never evaluate one
// alarm twice for the same period.
import type { Pool } from "pg";
import { insertHistory } from "./alarm-history.js";
import type { Alarm, AlarmConfig, HistoryItem, StateValue } from "./alarm-types.js";
import { acceptInTransaction, type NewAsyncInvocation } from "./async-store.js";
import { type BoundedDb, boundedDb, jsonbText } from "./pg-helpers.js";
import { insertPublishRequests, type PublishRequest } from "./sns-publish-requests.js";
import { changeTags, type TagsChange } from "./tags-column.js";

export interface AlarmQuery {
  names?: string[];
  prefix?: string;
  state?: StateValue;
  actionPrefix?: string;
  /** Names after this one (paging). */
  after?: string;
  limit: number;
}

/** A state as a change writes it. */
export interface StateChange {
  value: StateValue;
  reason: string;
  reasonData?: string;
  at: Date;
}

interface Row {
  account_id: string;
  name: string;
  description: string | null;
  actions_enabled: boolean;
  ok_actions: string[];
  alarm_actions: string[];
  insufficient_data_actions: string[];
  namespace: string;
  metric_name: string;
  dimensions: AlarmConfig["dimensions"];
  statistic: string | null;
  extended_statistic: string | null;
  period: number;
  unit: string | null;
  evaluation_periods: number;
  datapoints_to_alarm: number | null;
  threshold: number;
  comparison_operator: AlarmConfig["comparisonOperator"];
  treat_missing_data: string | null;
  evaluate_low_sample_count_percentile: string | null;
  tags: Record<string, string>;
  state_value: StateValue;
  state_reason: string;
  state_reason_data: string | null;
  state_updated_at: Date;
  state_transitioned_at: Date;
  configuration_updated_at: Date;
}

const present = <K extends string, V>(key: K, v: V | null): { [P in K]?: V } =>
  (v === null ? {} : { [key]: v }) as { [P in K]?: V };

function toAlarm(r: Row): Alarm {
  return {
    accountId: r.account_id,
    name: r.name,
    ...present("description", r.description),
    actionsEnabled: r.actions_enabled,
    okActions: r.ok_actions,
    alarmActions: r.alarm_actions,
    insufficientDataActions: r.insufficient_data_actions,
    namespace: r.namespace,
    metricName: r.metric_name,
    dimensions: r.dimensions,
    ...present("statistic", r.statistic),
    ...present("extendedStatistic", r.extended_statistic),
    period: r.period,
    ...present("unit", r.unit),
    evaluationPeriods: r.evaluation_periods,
    ...present("datapointsToAlarm", r.datapoints_to_alarm),
    threshold: r.threshold,
    comparisonOperator: r.comparison_operator,
    ...present("treatMissingData", r.treat_missing_data),
    ...present("evaluateLowSampleCountPercentile", r.evaluate_low_sample_count_percentile),
    tags: r.tags,
    state: r.state_value,
    stateReason: r.state_reason,
    ...present("stateReasonData", r.state_reason_data),
    stateUpdatedAt: r.state_updated_at,
    stateTransitionedAt: r.state_transitioned_at,
    configurationUpdatedAt: r.configuration_updated_at,
  };
}

/** The configuration columns in order, and their values from `c`. */
const CONFIG_COLUMNS = [
  "description",
  "actions_enabled",
  "ok_actions",
  "alarm_actions",
  "insufficient_data_actions",
  "namespace",
  "metric_name",
  "dimensions",
  "statistic",
  "extended_statistic",
  "period",
  "unit",
  "evaluation_periods",
  "datapoints_to_alarm",
  "threshold",
  "comparison_operator",
  "treat_missing_data",
  "evaluate_low_sample_count_percentile",
];

const configValues = (c: AlarmConfig): unknown[] => [
  c.description ?? null,
  c.actionsEnabled,
  c.okActions,
  c.alarmActions,
  c.insufficientDataActions,
  c.namespace,
  c.metricName,
  jsonbText(c.dimensions),
  c.statistic ?? null,
  c.extendedStatistic ?? null,
  c.period,
  c.unit ?? null,
  c.evaluationPeriods,
  c.datapointsToAlarm ?? null,
  c.threshold,
  c.comparisonOperator,
  c.treatMissingData ?? null,
  c.evaluateLowSampleCountPercentile ?? null,
];

/**
 * Moves an alarm to `to` with its history items, its actions' invocations and its
 * messages to topics, in the caller's transaction; returns the invocations written.
 */
export async function writeStateChange(
  c: BoundedDb,
  accountId: string,
  name: string,
  to: StateChange,
  items: HistoryItem[],
  actions: { invocations: NewAsyncInvocation[]; publishes?: PublishRequest[] | undefined },
): Promise<number> {
  await c.query(
    `UPDATE metric_alarms SET state_value = $3, state_reason = $4, state_reason_data = $5,
            state_updated_at = $6, state_transitioned_at = $6
      WHERE account_id = $1 AND name = $2`,
    [accountId, name, to.value, to.reason, to.reasonData ?? null, to.at],
  );
  await insertHistory(c, accountId, items);
  if (actions.publishes?.length) await insertPublishRequests(c, actions.publishes);
  return actions.invocations.length > 0 ? acceptInTransaction(c, actions.invocations) : 0;
}

export function createPgAlarmStore(pool: Pool, statementTimeoutMs: number) {
  const db = boundedDb(pool, statementTimeoutMs);
  type Now = { db_now: Date };

  return {
    /**
     * Creates the alarm (INSUFFICIENT_DATA, evaluated at once) or replaces its
     * configuration (its state and tags kept), with the history item `record` makes of
     * it; `tags` are set on a new alarm only, as CloudWatch does. True when created.
     */
    put(
      accountId: string,
      config: AlarmConfig,
      tags: Record<string, string>,
      record: (after: Alarm, before?: Alarm) => HistoryItem,
    ): Promise<boolean> {
      return db.transaction(async (c) => {
        const values = configValues(config);
        const sets = CONFIG_COLUMNS.map((col, i) => `${col} = $${i + 3}`).join(", ");
        for (;;) {
          const old = await c.query<Row>("SELECT * FROM metric_alarms WHERE account_id = $1 AND name = $2 FOR UPDATE", [
            accountId,
            config.name,
          ]);
          const before = old.rows[0];
          if (before) {
            const res = await c.query<Row>(
              `UPDATE metric_alarms SET ${sets}, configuration_updated_at = now(), next_evaluation_at = now()
                WHERE account_id = $1 AND name = $2 RETURNING *`,
              [accountId, config.name, ...values],
            );
            const after = toAlarm(res.rows[0] as Row);
            await insertHistory(c, accountId, [record(after, toAlarm(before))]);
            return false;
          }
          const placeholders = CONFIG_COLUMNS.map((_, i) => `$${i + 3}`).join(", ");
          const res = await c.query<Row>(
            `INSERT INTO metric_alarms (account_id, name, ${CONFIG_COLUMNS.join(", ")}, tags, state_value,
               state_reason, state_updated_at, state_transitioned_at, configuration_updated_at, next_evaluation_at)
             VALUES ($1, $2, ${placeholders}, $${values.length + 3}::jsonb, 'INSUFFICIENT_DATA',
               'Unchecked: Initial alarm creation', now(), now(), now(), now())
             ON CONFLICT (account_id, name) DO NOTHING RETURNING *`,
            [accountId, config.name, ...values, JSON.stringify(tags)],
          );
          // Made at the same moment by another request: replace that one instead.
          if (!res.rows[0]) continue;
          await insertHistory(c, accountId, [record(toAlarm(res.rows[0]))]);
          return true;
        }
      });
    },

    async get(accountId: string, name: string): Promise<Alarm | undefined> {
      const res = await db.query<Row>("SELECT * FROM metric_alarms WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
      ]);
      return res.rows[0] && toAlarm(res.rows[0]);
    },

    /** The account's alarms matching `q`, by name (byte order), at most `q.limit`. */
    async list(accountId: string, q: AlarmQuery): Promise<Alarm[]> {
      const res = await db.query<Row>(
        `SELECT * FROM metric_alarms
          WHERE account_id = $1
            AND ($2::text[] IS NULL OR name = ANY($2))
            AND left(name, length($3)) = $3
            AND ($4::text IS NULL OR state_value = $4)
            AND ($5::text IS NULL OR EXISTS (
                  SELECT 1 FROM unnest(ok_actions || alarm_actions || insufficient_data_actions) a
                   WHERE left(a, length($5)) = $5))
            AND name COLLATE "C" > $6
          ORDER BY name COLLATE "C" LIMIT $7`,
        [accountId, q.names ?? null, q.prefix ?? "", q.state ?? null, q.actionPrefix ?? null, q.after ?? "", q.limit],
      );
      return res.rows.map(toAlarm);
    },

    /** The account's alarms on one metric (DescribeAlarmsForMetric filters the rest). */
    async forMetric(accountId: string, namespace: string, metricName: string): Promise<Alarm[]> {
      const res = await db.query<Row>(
        `SELECT * FROM metric_alarms WHERE account_id = $1 AND namespace = $2 AND metric_name = $3
          ORDER BY name COLLATE "C"`,
        [accountId, namespace, metricName],
      );
      return res.rows.map(toAlarm);
    },

    /** Deletes those of `names` that exist, each with the history item `record` makes; their names. */
    remove(accountId: string, names: string[], record: (before: Alarm, at: Date) => HistoryItem): Promise<string[]> {
      return db.transaction(async (c) => {
        const res = await c.query<Row & Now>(
          "DELETE FROM metric_alarms WHERE account_id = $1 AND name = ANY($2) RETURNING *, now() AS db_now",
          [accountId, names],
        );
        await insertHistory(
          c,
          accountId,
          res.rows.map((r) => record(toAlarm(r), r.db_now)),
        );
        return res.rows.map((r) => r.name);
      });
    },

    async setActionsEnabled(accountId: string, names: string[], enabled: boolean): Promise<void> {
      await db.query("UPDATE metric_alarms SET actions_enabled = $3 WHERE account_id = $1 AND name = ANY($2)", [
        accountId,
        names,
        enabled,
      ]);
    },

    changeTags(accountId: string, name: string, add: Record<string, string>, remove: string[]): Promise<TagsChange> {
      const key = [accountId, name];
      return changeTags(
        db,
        {
          table: "metric_alarms",
          where: "account_id = $1 AND name = $2",
          key,
          exists: async () =>
            (await db.query("SELECT 1 FROM metric_alarms WHERE account_id = $1 AND name = $2", key)).rowCount === 1,
        },
        add,
        remove,
      );
    },

    /** Runs `work` with the alarm locked (undefined when there is none) and the transaction's time. */
    withAlarm<T>(
      accountId: string,
      name: string,
      work: (alarm: Alarm | undefined, now: Date, c: BoundedDb) => Promise<T>,
    ): Promise<T> {
      return db.transaction(async (c) => {
        const res = await c.query<Row & Now>(
          "SELECT *, now() AS db_now FROM metric_alarms WHERE account_id = $1 AND name = $2 FOR UPDATE",
          [accountId, name],
        );
        const now = res.rows[0]?.db_now ?? (await c.query<Now>("SELECT now() AS db_now")).rows[0]?.db_now;
        return work(res.rows[0] && toAlarm(res.rows[0]), now as Date, c);
      });
    },

    /**
     * Claims up to `limit` alarms due by now (none another control plane holds) and runs
     * `work` on them in the same transaction; `work` returns each one's next evaluation
     * time, written before the commit.
     */
    claimDue(
      limit: number,
      work: (alarms: Alarm[], now: Date, c: BoundedDb) => Promise<Map<string, Date>>,
    ): Promise<number> {
      return db.transaction(async (c) => {
        const due = await c.query<Row & Now>(
          `SELECT *, now() AS db_now FROM metric_alarms WHERE next_evaluation_at <= now()
            ORDER BY next_evaluation_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        const first = due.rows[0];
        if (!first) return 0;
        const alarms = due.rows.map(toAlarm);
        const next = await work(alarms, first.db_now, c);
        const key = (a: Alarm) => `${a.accountId}/${a.name}`;
        await c.query(
          `UPDATE metric_alarms m SET next_evaluation_at = t.at
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(account_id, name, at)
            WHERE m.account_id = t.account_id AND m.name = t.name`,
          [
            alarms.map((a) => a.accountId),
            alarms.map((a) => a.name),
            alarms.map((a) => next.get(key(a)) ?? new Date(first.db_now.getTime() + 60_000)),
          ],
        );
        return alarms.length;
      });
    },
  };
}

export type AlarmStore = ReturnType<typeof createPgAlarmStore>;
