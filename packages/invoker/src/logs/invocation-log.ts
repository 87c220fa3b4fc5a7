// A finished invocation's log in Lambda's format (START, the function's output, END,
// REPORT), as the node hands it to storage.
import type { InvokeSpec } from "@stratus/shared";
import type { Outcome } from "../metrics.js";
import { endLine, reportLine, startLine } from "./log-format.js";

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
}

export function invocationLog(
  spec: InvokeSpec,
  requestId: string,
  lines: string[],
  run: { startedAt: Date; durationMs: number; initDurationMs?: number; maxMemoryUsedMb?: number; outcome: Outcome },
): InvocationLog {
  const text = `${[
    startLine(requestId, spec.version),
    ...lines,
    endLine(requestId),
    reportLine(requestId, {
      durationMs: run.durationMs,
      memoryMb: spec.memoryMb,
      maxMemoryUsedMb: run.maxMemoryUsedMb,
      initDurationMs: run.initDurationMs,
    }),
  ].join("\n")}\n`;
  return {
    requestId,
    accountId: spec.accountId,
    functionName: spec.functionName,
    version: spec.version,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    outcome: run.outcome,
    text,
  };
}
