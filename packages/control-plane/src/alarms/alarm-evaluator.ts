// Every control plane runs this loop: each round claims the alarms due by now
// (store/alarm-store.ts claimDue: FOR UPDATE SKIP LOCKED, so no two control planes
// hold one), reads each one's evaluation range through the code GetMetricStatistics
// reads with (monitoring/metric-series.ts, statistics.ts), decides its state
// (evaluation.ts), and on a change writes the state, its history and its actions'
// invocations (state-change.ts), and the alarm's next evaluation time, in the
// claim's transaction. An alarm is evaluated once a period, at most once a minute,
// a couple of seconds after the period ends so that its last datapoints are written.
import { readSeries } from "../monitoring/metric-series.js";
import { parseStat, statValue } from "../monitoring/statistics.js";
import { startRepeating } from "../repeating.js";
import type { AlarmHistory } from "../store/alarm-history.js";
import type { AlarmStore } from "../store/alarm-store.js";
import type { Alarm } from "../store/alarm-types.js";
import type { MetricStore } from "../store/metric-store.js";
import type { BoundedDb } from "../store/pg-helpers.js";
import { lowSampleCountOf, missingDataOf } from "./alarm-input.js";
import { evaluate, evaluationRange, type Slot } from "./evaluation.js";
import { changeState, type StateChangeDeps } from "./state-change.js";
import { stateReason, stateReasonData } from "./state-reason.js";

const BATCH = 100;
/** How long after a period ends its datapoints are taken as written (usage rows wait 0.1 s, counters about 1 s). */
export const SETTLE_SECONDS = 2;
/** How long a history item is kept (CloudWatch keeps an alarm's history for 30 days), and how often that is enforced. */
export const HISTORY_RETENTION_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

const TREATED_AS = { missing: "Missing", ignore: "Ignore", breaching: "Breaching", notBreaching: "NonBreaching" };

/** When `alarm` is next due after `now`: the end of its next period (of at most a minute), settled. */
export function nextEvaluation(alarm: Pick<Alarm, "period">, now: Date): Date {
  const step = Math.min(alarm.period, 60);
  const seconds = (Math.floor((now.getTime() / 1000 - SETTLE_SECONDS) / step) + 1) * step + SETTLE_SECONDS;
  return new Date(seconds * 1000);
}

/** The evaluation range's periods at `now`, oldest first, with their datapoints. */
export async function slotsAt(metrics: MetricStore, alarm: Alarm, now: Date): Promise<Slot[]> {
  const stat = parseStat(alarm.statistic ?? alarm.extendedStatistic ?? "");
  const p = alarm.period;
  const end = Math.floor((now.getTime() / 1000 - SETTLE_SECONDS) / p) * p;
  const start = end - evaluationRange(alarm.evaluationPeriods) * p;
  const answer = await readSeries(metrics, {
    accountId: alarm.accountId,
    namespace: alarm.namespace,
    metricName: alarm.metricName,
    dimensions: alarm.dimensions,
    start: new Date(start * 1000),
    end: new Date(end * 1000),
    period: p,
    stats: [stat],
    ...(alarm.unit !== undefined ? { unit: alarm.unit } : {}),
  });
  const byStart = new Map(answer.buckets.map((b) => [b.start, b]));
  const slots: Slot[] = [];
  for (let t = start; t < end; t += p) {
    const bucket = byStart.get(t);
    const value = bucket && statValue(bucket, stat);
    slots.push(value === undefined || !bucket ? { start: t } : { start: t, value, sampleCount: bucket.count });
  }
  return slots;
}

export interface EvaluatorDeps extends StateChangeDeps {
  store: AlarmStore;
  history: Pick<AlarmHistory, "prune">;
  metrics: MetricStore;
  /** Wakes the async relay: action invocations were written. */
  nudge(): void;
  intervalMs: number;
}

/** Evaluates one claimed alarm in the claim's transaction; the invocations it wrote. */
async function evaluateOne(deps: EvaluatorDeps, alarm: Alarm, now: Date, c: BoundedDb): Promise<number> {
  const slots = await slotsAt(deps.metrics, alarm, now);
  const stat = parseStat(alarm.statistic ?? alarm.extendedStatistic ?? "");
  const missing = missingDataOf(alarm);
  const verdict = evaluate(
    {
      comparisonOperator: alarm.comparisonOperator,
      threshold: alarm.threshold,
      evaluationPeriods: alarm.evaluationPeriods,
      datapointsToAlarm: alarm.datapointsToAlarm ?? alarm.evaluationPeriods,
      treatMissingData: missing,
      ...(stat.kind === "percentile" && lowSampleCountOf(alarm) === "ignore"
        ? { ignoreLowSamples: stat.fraction }
        : {}),
    },
    slots,
  );
  if (verdict.state === undefined || verdict.state === alarm.state) return 0;
  const to = {
    value: verdict.state,
    reason: stateReason(alarm, verdict, verdict.state, alarm.state, TREATED_AS[missing]),
    reasonData: stateReasonData(alarm, verdict, now),
    at: now,
  };
  return changeState(c, alarm, to, deps);
}

export function startAlarmEvaluator(deps: EvaluatorDeps) {
  let prunedAt = 0;

  async function round(): Promise<void> {
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      await deps.history.prune(new Date(Date.now() - HISTORY_RETENTION_MS));
      prunedAt = Date.now();
    }
    for (;;) {
      let written = 0;
      const claimed = await deps.store.claimDue(BATCH, async (alarms, now, c) => {
        const next = new Map<string, Date>();
        for (const alarm of alarms) {
          next.set(`${alarm.accountId}/${alarm.name}`, nextEvaluation(alarm, now));
          // One alarm that fails is put back whole; the others' changes stand.
          await c.query("SAVEPOINT alarm");
          try {
            written += await evaluateOne(deps, alarm, now, c);
            await c.query("RELEASE SAVEPOINT alarm");
          } catch (err) {
            await c.query("ROLLBACK TO SAVEPOINT alarm");
            deps.log.warn("could not evaluate an alarm", { accountId: alarm.accountId, alarm: alarm.name, err });
          }
        }
        return next;
      });
      if (written > 0) deps.nudge();
      if (claimed < BATCH || loop.stopped()) return;
    }
  }

  const loop = startRepeating(round, {
    intervalMs: deps.intervalMs,
    onError: (err) => deps.log.warn("could not evaluate due alarms", { err }),
  });
  return { stop: loop.stop };
}
