// CloudWatch Logs' names as AWS allows them, its ARNs and the retention periods it
// accepts (the resources as Stratus keeps them: store/log-types.ts); and how an
// invoker's log record becomes a stream's events (log-ingest.ts writes them). Pure.
import type { InvocationLogRecord, LogLine } from "@stratus/shared";
import type { StreamBatch } from "../store/log-types.js";

/** The retention periods PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
export const STREAM_NAME = /^[^:*]{1,512}$/;

export const groupArn = (region: string, accountId: string, group: string) =>
  `arn:aws:logs:${region}:${accountId}:log-group:${group}`;

/**
 * The stream an execution environment writes to, as Lambda names it
 * (`YYYY/MM/DD/[version]<environment id>`): for a record of an invoker that did not
 * name its stream, the invocation stands for the environment.
 */
export function fallbackStream(r: Pick<InvocationLogRecord, "startedAt" | "version" | "requestId">): string {
  const day = r.startedAt.slice(0, 10).replace(/-/g, "/");
  return `${day}/[${r.version}]${r.requestId.replace(/-/g, "")}`;
}

/**
 * A record's events: those it carries, each line timed, or for an invoker that sends
 * only text, its lines at the invocation's start (END and REPORT at its end).
 */
export function recordEvents(r: InvocationLogRecord): LogLine[] {
  if (r.events) return r.events;
  const start = Date.parse(r.startedAt);
  const end = Math.round(start + r.durationMs);
  const lines = r.text.replace(/\n$/, "").split("\n");
  return lines.map((message, i) => ({ timestamp: i >= lines.length - 2 ? end : start, message }));
}

/** The stream batches of fresh records: one per record, to its group and stream. */
export function batchesOf(records: InvocationLogRecord[]): StreamBatch[] {
  return records.map((r) => ({
    accountId: r.accountId,
    group: r.logGroup ?? `/aws/lambda/${r.functionName}`,
    stream: r.logStream ?? fallbackStream(r),
    events: recordEvents(r),
  }));
}
