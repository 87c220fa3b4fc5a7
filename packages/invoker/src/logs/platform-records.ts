// Lambda's platform log records in the JSON log format (LoggingConfig LogFormat JSON):
// platform.start and platform.report with its metrics, in place of the START and
// REPORT lines, kept when the function's SystemLogLevel lets INFO through. Pure.
import type { ReportFigures } from "./log-format.js";

/** How a run ended, as platform.report's status says it. */
export type PlatformStatus = "success" | "error" | "timeout" | "failure";

const SYSTEM_LEVELS = ["DEBUG", "INFO", "WARN"];

/** Whether platform records (level INFO) are kept under `systemLogLevel`. */
export const keepsPlatformRecords = (systemLogLevel: string | undefined) =>
  SYSTEM_LEVELS.indexOf(systemLogLevel ?? "INFO") <= SYSTEM_LEVELS.indexOf("INFO");

export function platformStart(at: number, requestId: string, version: string): string {
  return JSON.stringify({ time: new Date(at).toISOString(), type: "platform.start", record: { requestId, version } });
}

export function platformReport(at: number, requestId: string, r: ReportFigures, status: PlatformStatus): string {
  const metrics = {
    durationMs: Number(r.durationMs.toFixed(3)),
    billedDurationMs: Math.max(1, Math.ceil(r.durationMs)),
    memorySizeMB: r.memoryMb,
    maxMemoryUsedMB: r.maxMemoryUsedMb ?? 0,
    ...(r.initDurationMs !== undefined ? { initDurationMs: Number(r.initDurationMs.toFixed(3)) } : {}),
  };
  return JSON.stringify({
    time: new Date(at).toISOString(),
    type: "platform.report",
    record: { requestId, metrics, status },
  });
}
