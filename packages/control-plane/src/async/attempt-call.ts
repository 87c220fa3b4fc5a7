// The invoke step of an async attempt: the call to the function, through the same
// placement and invokers as a sync invoke (so warm containers are shared), unless the
// event is already too old to run. Every attempt (the first, retries, a takeover
// after a stall) runs under the invocation's id as its request id, the one its caller
// got with the 202: as in Lambda, the function sees one context.awsRequestId.
import { type IncomingTrace, parseXrayHeader, StratusError } from "@stratus/shared";
import type { InvokeResult, InvokeService } from "../services/invoke-service.js";
import type { CallTraceInput } from "../services/invoke-tracing.js";
import type { AsyncInvocation } from "../store/async-store.js";
import type { UsageRow } from "../store/usage-store.js";
import type { CallFacts } from "./async-decisions.js";
import type { JobDeadline } from "./job-deadline.js";
import { thrownOutcome } from "./retry-policy.js";

export interface AttemptCall extends CallFacts {
  /** Whether the call reached an invoker node, where the function may have run. */
  reachedNode: boolean;
  result?: InvokeResult;
  /** The error recorded with the attempt: the function's, or the platform's. */
  error?: unknown;
  /** What the attempt used, if it reached a node: written with its result, in the same statement. */
  usage?: UsageRow;
}

const TOO_OLD = { errorType: "EventAgeExceeded", errorMessage: "Event too old" };

/** Calls `inv`'s function; the job's `deadline` gives the node its time to answer on top of a step's. */
export async function callFunction(
  invoke: InvokeService,
  inv: AsyncInvocation,
  deadline: JobDeadline,
  stepMs: number,
): Promise<AttemptCall> {
  const ageMs = Date.now() - inv.acceptedAt.getTime();
  if (ageMs > inv.maxEventAgeSeconds * 1000) return { outcome: "too_old", ageMs, reachedNode: false, error: TOO_OLD };
  let reachedNode = false;
  let usage: UsageRow | undefined;
  deadline.allow(stepMs);
  try {
    const result = await invoke.invokeSync({
      accountId: inv.accountId,
      functionName: inv.functionName,
      qualifier: inv.qualifier,
      payload: inv.payload,
      requestId: inv.id,
      // A job given up sends nothing more: its next run does.
      signal: deadline.signal,
      trace: attemptTrace(inv),
      // Its number among the attempts that reached a node: unique per attempt that ran.
      meter: { invocationType: "Event", attempt: inv.invokeCount, take: (row) => (usage = row) },
      dispatch: {
        // The node's time to answer, and a step's to take it in.
        sending: (answerWithinMs) => deadline.allow(answerWithinMs + stepMs),
        taken: () => {
          reachedNode = true;
        },
      },
    });
    if (!result.functionError) return { outcome: "success", ageMs, reachedNode, result, usage };
    return { outcome: "function_error", ageMs, reachedNode, result, error: parsed(result.payload), usage };
  } catch (err) {
    const code = err instanceof StratusError ? err.code : "ServiceException";
    const error = { errorType: code, errorMessage: (err as Error).message };
    return { outcome: thrownOutcome(err), ageMs, reachedNode, error, usage };
  }
}

/**
 * The trace an attempt joins: the one its event was accepted in, or, for an event
 * accepted with none (a schedule's or a rule's tick), a root of its own derived from
 * its id and acceptance time, so that every attempt of it joins one trace. Its first
 * attempt also records how long it waited in the queue.
 */
export function attemptTrace(inv: AsyncInvocation): CallTraceInput {
  const incoming: IncomingTrace = (inv.traceHeader && parseXrayHeader(inv.traceHeader)) || {
    traceId:
      Math.floor(inv.acceptedAt.getTime() / 1000)
        .toString(16)
        .padStart(8, "0") + inv.id.replace(/-/g, "").slice(0, 24),
  };
  const first = inv.attempt === 1 && inv.givenBack === 0;
  return { incoming, ...(first ? { queuedSince: inv.acceptedAt.getTime() } : {}) };
}

function parsed(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return { errorMessage: payload.toString("utf8").slice(0, 4096) };
  }
}
