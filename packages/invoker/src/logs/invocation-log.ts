// A finished invocation's log in Lambda's format (START, the function's output, END,
// REPORT), as the node hands it to storage: as one text (the Tail log, the stratus
// CLI's logs) and as CloudWatch log events, each line with when it was printed, for
// the function's log group and its execution environment's stream.
import type { InvokeSpec, LogLine } from "@stratus/shared";
import type { Outcome } from "../metrics.js";
import type { TimedLine } from "./container-log.js";
import { endLine, type ReportFigures, reportLine, startLine } from "./log-format.js";
import { keepsPlatformRecords, type PlatformStatus, platformReport, platformStart } from "./platform-records.js";

/** One finished invocation's log, in Lambda's format, for storage. */
export interface InvocationLog {
  requestId: string;
  accountId: string;
  functionName: string;
  version: string;
  startedAt: Date;
  durationMs: number;
  outcome: Outcome;
  text: string;
  logGroup: string;
  logStream?: string;
  events: LogLine[];
}

/** The log group a function's lines go to (AWS_LAMBDA_LOG_GROUP_NAME). */
export const logGroupOf = (spec: Pick<InvokeSpec, "functionName" | "logGroup">) =>
  spec.logGroup ?? `/aws/lambda/${spec.functionName}`;

const STATUS: Record<Outcome, PlatformStatus> = {
  success: "success",
  function_error: "error",
  timeout: "timeout",
  oom: "failure",
  crash: "failure",
  init_error: "failure",
};

export function invocationLog(
  spec: InvokeSpec,
  requestId: string,
  lines: TimedLine[],
  run: { startedAt: Date; durationMs: number; initDurationMs?: number; maxMemoryUsedMb?: number; outcome: Outcome },
  logStream?: string,
): InvocationLog {
  const start = run.startedAt.getTime();
  const end = Math.max(start, Math.round(start + run.durationMs));
  const figures: ReportFigures = {
    durationMs: run.durationMs,
    memoryMb: spec.memoryMb,
    maxMemoryUsedMb: run.maxMemoryUsedMb,
    initDurationMs: run.initDurationMs,
  };
  // Output the node read after the run had ended (or printed during init) still stands
  // between START and END, as in Lambda.
  const output = lines.map((l) => ({ timestamp: Math.min(Math.max(l.at, start), end), message: l.line }));
  const events: LogLine[] =
    spec.logFormat !== "JSON"
      ? [
          { timestamp: start, message: startLine(requestId, spec.version) },
          ...output,
          { timestamp: end, message: endLine(requestId) },
          { timestamp: end, message: reportLine(requestId, figures) },
        ]
      : keepsPlatformRecords(spec.systemLogLevel)
        ? [
            { timestamp: start, message: platformStart(start, requestId, spec.version) },
            ...output,
            { timestamp: end, message: platformReport(end, requestId, figures, STATUS[run.outcome]) },
          ]
        : output;
  return {
    requestId,
    accountId: spec.accountId,
    functionName: spec.functionName,
    version: spec.version,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    outcome: run.outcome,
    text: `${events.map((e) => e.message).join("\n")}\n`,
    logGroup: logGroupOf(spec),
    ...(logStream ? { logStream } : {}),
    events,
  };
}
