// What the pool says to and about one invocation, apart from running it: the
// Runtime API headers a delivery carries, and the finished invocation's log in
// Lambda's format (START, the function's output, END, REPORT) for storage.
import { randomUUID } from "node:crypto";
import { type InvokeCall, type InvokeSpec, runtimeApi } from "@stratus/shared";
import { endLine, reportLine, startLine } from "../logs/log-format.js";
import type { Outcome } from "../metrics.js";

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

export function deliveryHeaders(spec: InvokeSpec, call: InvokeCall, deadline: number): Record<string, string> {
  const h: Record<string, string> = {
    [runtimeApi.requestId]: call.requestId,
    [runtimeApi.deadlineMs]: String(deadline),
    [runtimeApi.functionArn]: spec.functionArn,
    [runtimeApi.traceId]: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`,
  };
  if (call.clientContext) {
    // Lambda hands the runtime the decoded JSON; keep it only if it is a valid header value.
    const decoded = Buffer.from(call.clientContext, "base64").toString("utf8");
    if (/^[\x20-\x7e]*$/.test(decoded)) h[runtimeApi.clientContext] = decoded;
  }
  return h;
}
