// Lambda's per-invocation log lines (START / END / REPORT) and the tail returned by
// X-Amz-Log-Type: Tail. Pure functions.
import { billedMs } from "@stratus/shared";

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFigures {
  durationMs: number;
  memoryMb: number;
  maxMemoryUsedMb?: number;
  /** Only on a cold start. */
  initDurationMs?: number;
}

export function reportLine(requestId: string, r: ReportFigures): string {
  const parts = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${r.durationMs.toFixed(2)} ms`,
    // Init is billed too (Lambda, since August 2025): the figure metering records (run-usage.ts).
    `Billed Duration: ${billedMs(r.durationMs, r.initDurationMs)} ms`,
    `Memory Size: ${r.memoryMb} MB`,
    `Max Memory Used: ${r.maxMemoryUsedMb ?? 0} MB`,
  ];
  if (r.initDurationMs !== undefined) parts.push(`Init Duration: ${r.initDurationMs.toFixed(2)} ms`);
  return `${parts.join("\t")}\t`;
}

/**
 * Added to an invocation's log when the kernel killed `kills` processes of its
 * container for memory and the runtime lived on to answer.
 */
export function oomKillLine(kills: number, memoryMb: number): string {
  const what =
    kills === 1 ? "a process in this function's sandbox was" : `${kills} processes in this function's sandbox were`;
  return `[stratus] ${what} killed: out of memory (limit ${memoryMb} MB)`;
}

/** The platform's notice that a function's sandbox reached its process limit, and is replaced. */
export function processLimitLine(limit: number): string {
  return `[stratus] this function's sandbox reached its limit of ${limit} processes and threads; a new one serves the next invocation`;
}

/** The last `maxBytes` of `text`, cut at a character boundary. */
export function tail(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= maxBytes) return text;
  let start = buf.length - maxBytes;
  // Skip UTF-8 continuation bytes so the tail starts on a whole character.
  while (start < buf.length && ((buf[start] as number) & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString("utf8");
}
