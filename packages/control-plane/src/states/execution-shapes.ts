// Executions and their history events as the Step Functions API answers them:
// timestamps in epoch seconds, input and output as JSON text, and history data left
// out when GetExecutionHistory is asked to.
import type { ExecutionRow } from "../store/execution-store.js";
import { executionName } from "./express.js";
import { epoch } from "./sfn-input.js";
import type { HistoryEvent } from "./types.js";

/** History events as the API answers them: timestamps in epoch seconds, data left out when asked. */
export function shownEvent(e: HistoryEvent, withData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...e, timestamp: Date.parse(e.timestamp) / 1000 };
  if (withData) return out;
  for (const [k, v] of Object.entries(out)) {
    if (!k.endsWith("EventDetails") || !v || typeof v !== "object") continue;
    const { input: _i, output: _o, ...rest } = v as Record<string, unknown>;
    out[k] = rest;
  }
  return out;
}

/** An execution as DescribeExecution answers it. */
export function described(e: ExecutionRow) {
  return {
    executionArn: e.arn,
    stateMachineArn: e.machineArn,
    name: executionName(e),
    status: e.status,
    startDate: epoch(e.startDate),
    ...(e.stopDate ? { stopDate: epoch(e.stopDate) } : {}),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
  };
}
