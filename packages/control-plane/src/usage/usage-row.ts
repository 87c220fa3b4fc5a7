// The invocation_usage row (store/usage-store.ts) of one run attempt of a function,
// built when the attempt's result comes back. Sync invokes write theirs after the
// answer is sent (usage-meter.ts); an async attempt's goes in the statement that
// records its result (store/async-store.ts), so it counts once.
import { gbSeconds, type InvokeOutcome, type InvokeSpec, type RunOutcome } from "@stratus/shared";
import type { InvocationType, UsageRow } from "../store/usage-store.js";

/** Who ran, and how it was called: the parts of a row the call, not the run, decides. */
export interface AttemptOf {
  requestId: string;
  attempt: number;
  spec: Pick<InvokeSpec, "accountId" | "functionName" | "version" | "memoryMb">;
  qualifier: string | undefined;
  invocationType: InvocationType;
}

function base(of: AttemptOf, endedAt: Date) {
  return {
    requestId: of.requestId,
    attempt: of.attempt,
    accountId: of.spec.accountId,
    functionName: of.spec.functionName,
    version: of.spec.version,
    resource: of.qualifier ?? "",
    invocationType: of.invocationType,
    endedAt,
  };
}

/**
 * The row of an attempt the node answered. An invoker that predates metering tells
 * nothing of the run: it counts as a request with nothing billed.
 */
export function answeredRow(of: AttemptOf, outcome: InvokeOutcome, endedAt = new Date()): UsageRow {
  const u = outcome.usage;
  if (u) {
    const { outcome: o, memoryMb, durationMs, initMs, billedMs, cold } = u;
    return { ...base(of, endedAt), outcome: o, memoryMb, durationMs, initMs, billedMs, cold };
  }
  const o: RunOutcome = outcome.functionError ? "function_error" : "success";
  return {
    ...base(of, endedAt),
    outcome: o,
    memoryMb: of.spec.memoryMb,
    durationMs: 0,
    initMs: 0,
    billedMs: 0,
    cold: false,
  };
}

/** The row of an attempt a node took and then failed (a platform error): not billed, but it counts as an error. */
export function platformErrorRow(of: AttemptOf, endedAt = new Date()): UsageRow {
  return {
    ...base(of, endedAt),
    outcome: "platform_error",
    memoryMb: of.spec.memoryMb,
    durationMs: 0,
    initMs: 0,
    billedMs: 0,
    cold: false,
  };
}

/** The row's GB-seconds: its memory in GB (1024 MB each) times its billed seconds. */
export const gbSecondsOf = (r: Pick<UsageRow, "memoryMb" | "billedMs">): number => gbSeconds(r.memoryMb, r.billedMs);
