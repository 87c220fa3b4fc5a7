// A state machine's loggingConfiguration and the CloudWatch Logs events its executions
// leave: read from a request (InvalidLoggingConfiguration when the group is not one of
// the caller's), and the lines each history append writes to the group at the
// machine's level (ALL, ERROR, FATAL), in the JSON shape Step Functions logs, with or
// without its input and output. For Express machines this is the only history kept.
import type { ExecutionRow } from "../store/execution-store.js";
import type { MachineLogging } from "../store/sfn-machine-store.js";
import { type Body, sfnErrors } from "./sfn-input.js";
import type { HistoryEvent } from "./types.js";

/** The CloudWatch Logs groups a machine's executions may write to. */
export interface ExecutionLogPort {
  groupExists(accountId: string, group: string): Promise<boolean>;
}

/** The lines one history append writes: to the execution's stream in its machine's group. */
export interface LogBatch {
  group: string;
  stream: string;
  events: { timestamp: number; message: string }[];
}

const LEVELS = ["ALL", "ERROR", "FATAL", "OFF"];
const GROUP_ARN = /^arn:aws[a-zA-Z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512}):\*$/;
const invalid = (m: string) => sfnErrors.client("InvalidLoggingConfiguration", `Invalid Logging Configuration: ${m}`);

/**
 * The logging a request asks for: undefined when absent, null for OFF. The log group
 * must exist in the caller's account and region, as Step Functions checks it.
 */
export async function loggingOf(
  b: Body,
  accountId: string,
  region: string,
  logs: Pick<ExecutionLogPort, "groupExists">,
): Promise<MachineLogging | null | undefined> {
  const v = b.loggingConfiguration;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw sfnErrors.validation("'loggingConfiguration' must be an object");
  const c = v as Body;
  const level = c.level ?? "OFF";
  if (typeof level !== "string" || !LEVELS.includes(level))
    throw sfnErrors.validation(`'loggingConfiguration.level' must be one of ${LEVELS.join(", ")}`);
  const withData = c.includeExecutionData ?? false;
  if (typeof withData !== "boolean")
    throw sfnErrors.validation("'loggingConfiguration.includeExecutionData' must be a boolean");
  const destinations = c.destinations ?? [];
  if (!Array.isArray(destinations)) throw sfnErrors.validation("'loggingConfiguration.destinations' must be a list");
  if (destinations.length > 1) throw invalid("Exactly one destination is supported.");
  if (level === "OFF") {
    if (destinations.length > 0 || withData) throw invalid("Logging level OFF takes no destination.");
    return null;
  }
  const arn = (destinations[0] as Body | undefined)?.cloudWatchLogsLogGroup as Body | undefined;
  if (typeof arn?.logGroupArn !== "string") throw invalid("A log destination is required for this logging level.");
  const m = GROUP_ARN.exec(arn.logGroupArn);
  if (!m) throw invalid(`Invalid log group ARN: '${arn.logGroupArn}' (it must end in ':*').`);
  if (m[1] !== region || m[2] !== accountId || !(await logs.groupExists(accountId, m[3] as string)))
    throw invalid(`Log Destination not found: '${arn.logGroupArn}'.`);
  return {
    level: level as MachineLogging["level"],
    includeExecutionData: withData,
    logGroup: m[3] as string,
    logGroupArn: arn.logGroupArn,
  };
}

/** loggingConfiguration as DescribeStateMachine answers it. */
export function shownLogging(l: MachineLogging | undefined) {
  if (!l) return { level: "OFF", includeExecutionData: false };
  return {
    level: l.level,
    includeExecutionData: l.includeExecutionData,
    destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: l.logGroupArn } }],
  };
}

const CLOSING_FAILURES = new Set(["ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"]);

/** Whether the level logs an event of this type (ERROR: every failure; FATAL: the execution's own). */
export function logged(level: MachineLogging["level"], type: string): boolean {
  if (level === "ALL") return true;
  if (level === "FATAL") return CLOSING_FAILURES.has(type);
  return /(Failed|TimedOut|Aborted)$/.test(type) || type === "FailStateEntered";
}

const DATA_FIELDS = ["input", "output"];

/** One history event as the JSON line Step Functions writes to CloudWatch Logs. */
export function logLine(e: HistoryEvent, executionArn: string, withData: boolean): string {
  const key = Object.keys(e).find((k) => k.endsWith("EventDetails"));
  const details = { ...((key ? e[key] : {}) as Record<string, unknown>) };
  if (!withData) {
    for (const f of DATA_FIELDS) {
      if (!(f in details)) continue;
      delete details[f];
      details[`${f}Details`] = { included: false };
    }
  }
  return JSON.stringify({
    id: String(e.id),
    type: e.type,
    details,
    previous_event_id: String(e.previousEventId),
    event_timestamp: String(Date.parse(e.timestamp)),
    execution_arn: executionArn,
    redrive_count: "0",
  });
}

/** The stream an execution's events go to: `states/MACHINE/YYYY-MM-DD-HH-mm/<id>`. */
export function streamOf(row: Pick<ExecutionRow, "arn" | "startDate">, machine: string): string {
  const minute = row.startDate.toISOString().slice(0, 16).replace(/[T:]/g, "-");
  const id = row.arn.split(":").pop()?.replace(/-/g, "").slice(0, 8) ?? "0";
  return `states/${machine}/${minute}/${id}`;
}

/**
 * The lines an append of `events` writes, those the machine's level logs (undefined
 * when none, or logging is off). The store writes them in the append's own
 * transaction, so a line exists exactly when its event does.
 */
export function appendedLines(
  row: Pick<ExecutionRow, "arn" | "machineArn" | "startDate">,
  logging: MachineLogging | null | undefined,
  events: HistoryEvent[],
): LogBatch | undefined {
  if (!logging) return undefined;
  const lines = events
    .filter((e) => logged(logging.level, e.type))
    .map((e) => ({ timestamp: Date.parse(e.timestamp), message: logLine(e, row.arn, logging.includeExecutionData) }));
  if (lines.length === 0) return undefined;
  const machine = row.machineArn.split(":").pop() ?? "";
  return { group: logging.logGroup, stream: streamOf(row, machine), events: lines };
}
