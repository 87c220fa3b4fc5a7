// StateReason and StateReasonData of a state an evaluation decided, in CloudWatch's
// words and JSON: "Threshold Crossed: 1 datapoint [2.0 (04/08/26 12:30:00)] was
// greater than the threshold (0.0).", and {version, queryDate, startDate, statistic,
// period, recentDatapoints, threshold, evaluatedDatapoints}.
import { type AlarmConfig, cloudwatchTime, type StateValue } from "../store/alarm-types.js";
import { breaches, type Slot, type Verdict } from "./evaluation.js";

const PHRASE: Record<AlarmConfig["comparisonOperator"], string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

/** A number as CloudWatch prints it in reasons (a Java double: 2.0, 0.5). */
const num = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));

const pad = (n: number) => String(n).padStart(2, "0");
/** dd/MM/yy HH:mm:ss, UTC. */
function shortTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** Datapoints listed newest first, as CloudWatch lists them. */
const listed = (slots: Slot[]) =>
  `[${[...slots]
    .reverse()
    .map((s) => `${num(s.value as number)} (${shortTime(s.start)})`)
    .join(", ")}]`;

export function stateReason(
  alarm: Pick<AlarmConfig, "comparisonOperator" | "threshold" | "evaluationPeriods" | "datapointsToAlarm">,
  v: Verdict,
  to: StateValue,
  from: StateValue,
  treatedAs: string,
): string {
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm ?? n;
  const threshold = `the threshold (${num(alarm.threshold)})`;
  const op = PHRASE[alarm.comparisonOperator];
  if (v.why === "all-missing") {
    if (to === "INSUFFICIENT_DATA")
      return `Insufficient Data: ${n} ${plural(n, "datapoint was", "datapoints were")} unknown.`;
    return `Threshold Crossed: no datapoints were received for ${n} ${plural(n, "period", "periods")} and ${n} missing ${plural(n, "datapoint was", "datapoints were")} treated as [${treatedAs}].`;
  }
  const real = v.evaluated.filter((s) => s.value !== undefined);
  const filled =
    v.filled > 0
      ? ` and ${v.filled} missing ${plural(v.filled, "datapoint was", "datapoints were")} treated as [${treatedAs}]`
      : "";
  if (v.why === "premature") {
    return `Threshold Crossed: ${real.length} ${plural(real.length, "datapoint", "datapoints")} ${listed(real)} ${plural(real.length, "was", "were")} ${op} ${threshold}, none in the last ${n} periods was not, and the oldest is at least ${m} ${plural(m, "period", "periods")} old.`;
  }
  const breach = (s: Slot) => breaches(alarm.comparisonOperator, s.value as number, alarm.threshold);
  const shown = to === "ALARM" ? real.filter(breach) : real.filter((s) => !breach(s));
  const not = to === "ALARM" ? "" : "not ";
  if (n === 1) return `Threshold Crossed: 1 datapoint ${listed(real)} was ${not}${op} ${threshold}${filled}.`;
  const need = to === "ALARM" ? m : n - m + 1;
  return `Threshold Crossed: ${shown.length} out of the last ${n} datapoints ${listed(shown)} ${plural(shown.length, "was", "were")} ${not}${op} ${threshold}${filled} (minimum ${need} ${plural(need, "datapoint", "datapoints")} for ${from} -> ${to} transition).`;
}

/** StateReasonData's JSON text. */
export function stateReasonData(
  alarm: Pick<AlarmConfig, "statistic" | "extendedStatistic" | "period" | "threshold" | "unit">,
  v: Verdict,
  queryDate: Date,
): string {
  const real = v.evaluated.filter((s) => s.value !== undefined);
  const first = v.evaluated[0];
  return JSON.stringify({
    version: "1.0",
    queryDate: cloudwatchTime(queryDate),
    ...(first ? { startDate: cloudwatchTime(new Date(first.start * 1000)) } : {}),
    statistic: alarm.statistic ?? alarm.extendedStatistic,
    ...(alarm.unit !== undefined ? { unit: alarm.unit } : {}),
    period: alarm.period,
    recentDatapoints: real.map((s) => s.value),
    threshold: alarm.threshold,
    evaluatedDatapoints: [...v.evaluated].reverse().map((s) => ({
      timestamp: cloudwatchTime(new Date(s.start * 1000)),
      ...(s.value !== undefined ? { sampleCount: s.sampleCount ?? 0, value: s.value } : {}),
    })),
  });
}
