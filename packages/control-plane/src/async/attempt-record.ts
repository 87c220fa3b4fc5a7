// The record step of an async attempt: one conditional update moves the invocation
// along its verdict's edge, conditionally on the attempt (a stale one moves nothing).
// Starting an attempt counted it as spent and as an invoke; its record gives back what
// it did not use (retry-policy.ts attemptRefunds), so that destination records carry
// the invokes that may have run the function. A delivery to a destination is a new
// async invocation committed with the move, in one transaction; a retry then queues
// the job that runs the next attempt. The attempt's usage row is written by the same
// statement as its move: a stale attempt, which moves nothing, meters nothing. An
// event discarded (its retries spent, or too old) also goes to the function's own
// DeadLetterConfig queue or topic, in the same transaction, beside any on-failure
// destination. A message to an SNS topic is a publish request in that transaction
// (topic-publishes.ts), fanned out by SNS's relay once committed.
import { randomUUID } from "node:crypto";
import { asyncQueue } from "@stratus/shared";
import type { MetricCounters } from "../monitoring/metric-counters.js";
import { deadLetterMessage, destinationMessage, functionDeadLetterMessage } from "../sqs/dead-letters.js";
import type { AsyncInvocation, AsyncStore, FinishFields } from "../store/async-store.js";
import type { PublishRequest } from "../store/sns-publish-requests.js";
import type { QueueLetter } from "../store/sqs-messages.js";
import type { Verdict } from "./async-decisions.js";
import type { AttemptCall } from "./attempt-call.js";
import { destinationDelivery, destinationFunction, destinationRecord } from "./destination.js";
import type { Step } from "./job-deadline.js";
import type { AsyncQueue } from "./queue/async-queue.js";
import { type AttemptEnd, attemptRefunds } from "./retry-policy.js";
import { deadLetterPublish, destinationPublish } from "./topic-publishes.js";

export interface RecordDeps {
  store: AsyncStore;
  queue: Pick<AsyncQueue, "add">;
  region: string;
  /** Lambda's async metrics: AsyncEventAge, AsyncEventsDropped, DestinationDeliveryFailures. */
  counters?: MetricCounters;
  /** The DeadLetterConfig queue or topic of the version that ran (`executedVersion`, else the one `inv` names), if any. */
  deadLetterTarget?: (inv: AsyncInvocation, executedVersion?: string) => Promise<string | undefined>;
  /** Told once messages to SNS topics were committed, so that they are fanned out now (SNS's relay). */
  published?: () => void;
}

/** Records `call`'s end as `verdict` says, each write a step of the job; false when the attempt was stale. */
export async function recordAttempt(
  { store, queue, region, counters, deadLetterTarget, published }: RecordDeps,
  inv: AsyncInvocation,
  call: AttemptCall,
  verdict: Verdict,
  step: Step,
): Promise<boolean> {
  const end: AttemptEnd = call.outcome === "too_old" || call.outcome === "gone" ? "not_run" : call.outcome;
  const refunds = attemptRefunds(end, call.reachedNode);
  const observe = (metric: "AsyncEventAge" | "AsyncEventsDropped" | "DestinationDeliveryFailures", value = 1) =>
    counters?.record({
      accountId: inv.accountId,
      functionName: inv.functionName,
      resource: inv.qualifier ?? "",
      metric,
      value,
    });
  if (call.reachedNode) observe("AsyncEventAge", call.ageMs);
  if (verdict.event === "retry") {
    const jobId = asyncQueue.jobId(inv.id, `a${inv.attempt}-${randomUUID().slice(0, 8)}`);
    const fields = { error: call.error, ...refunds, retryAfterMs: verdict.delayMs, jobId, usage: call.usage };
    const moved = await step(() => store.finish(inv.id, inv.attempt, "retry", fields));
    // If this add is lost, the reconciler finds the recorded job missing once the retry is overdue.
    if (moved) {
      await step(() => queue.add({ invocationId: inv.id, jobId, delayMs: verdict.delayMs }));
    }
    return moved;
  }
  // The event's invokes, this attempt's counted if it reached a node.
  const invokeCount = inv.invokeCount - (refunds.refundInvoke ? 1 : 0);
  const followUp =
    verdict.delivery &&
    destinationDelivery(inv, verdict.delivery.target, verdict.delivery.condition, call.result, invokeCount, region);
  const functionDlq =
    verdict.event !== "succeed" && deadLetterTarget
      ? await step(() => deadLetterTarget(inv, call.result?.executedVersion))
      : undefined;
  const { letters, publishes } = endMessages(inv, verdict, call, invokeCount, region, functionDlq);
  const fields: FinishFields =
    verdict.event === "succeed"
      ? { executedVersion: call.result?.executedVersion, ...refunds, usage: call.usage }
      : {
          error: call.error,
          ...refunds,
          ...(call.result ? { executedVersion: call.result.executedVersion } : {}),
          usage: call.usage,
        };
  const moved = await step(() =>
    store.finish(inv.id, inv.attempt, verdict.event, {
      ...fields,
      ...(followUp ? { followUp } : {}),
      ...(letters.length > 0 ? { letters } : {}),
      ...(publishes.length > 0 ? { publishes } : {}),
    }),
  );
  if (!moved) return false;
  if (publishes.length > 0) published?.();
  if (verdict.event !== "succeed") observe("AsyncEventsDropped");
  // A destination configured for this outcome that Stratus cannot deliver to (no
  // function, queue or topic of the account: async-decisions.ts deliverable).
  const configured = verdict.event === "succeed" ? inv.onSuccess : inv.onFailure;
  if (configured && !verdict.delivery) observe("DestinationDeliveryFailures");
  return true;
}

/**
 * The messages an ending writes beside its move: the destination record to an SQS or
 * SNS destination, the dead letter of a rule's or schedule's target that finally
 * failed, and the function's own dead letter (to `functionDlq`, a queue or a topic) of
 * an event it discarded.
 */
function endMessages(
  inv: AsyncInvocation,
  verdict: Verdict,
  call: AttemptCall,
  invokeCount: number,
  region: string,
  functionDlq: string | undefined,
): { letters: QueueLetter[]; publishes: PublishRequest[] } {
  const letters: QueueLetter[] = [];
  const publishes: PublishRequest[] = [];
  if (verdict.event === "retry") return { letters, publishes };
  const d = verdict.delivery;
  if (d && !destinationFunction(d.target, inv.accountId)) {
    const record = destinationRecord({
      requestId: inv.id,
      functionArn: `arn:aws:lambda:${region}:${inv.accountId}:function:${inv.functionName}:${inv.qualifier ?? "$LATEST"}`,
      condition: d.condition,
      approximateInvokeCount: invokeCount,
      requestPayload: inv.payload,
      executedVersion: call.result?.executedVersion,
      functionError: call.result?.functionError,
      responsePayload: call.result?.payload,
    });
    // One of the two: destinationMessage answers only a queue's ARN, destinationPublish a topic's.
    const m = destinationMessage(inv.accountId, d.target, record);
    if (m) letters.push(m);
    const p = destinationPublish(inv, d.target, d.condition, record);
    if (p) publishes.push(p);
  }
  if (verdict.event !== "succeed" && inv.deadLetter) {
    const condition = verdict.event === "expire" ? "EventAgeExceeded" : "RetriesExhausted";
    const m = deadLetterMessage(inv.accountId, inv.deadLetter, inv.payload, call.error, condition, invokeCount - 1);
    if (m) letters.push(m);
  }
  if (verdict.event !== "succeed" && functionDlq) {
    // A queue's letter or a topic's message, whichever functionDlq names.
    const m = functionDeadLetterMessage(inv.accountId, functionDlq, inv.id, inv.payload, call.error, httpStatus(call));
    if (m) letters.push(m);
    const p = deadLetterPublish(inv, functionDlq, call.error, httpStatus(call));
    if (p) publishes.push(p);
  }
  return { letters, publishes };
}

/** The last attempt's status as Lambda's Invoke would answer it: 200 with a function error, 404 once gone. */
function httpStatus(call: AttemptCall): number {
  if (call.outcome === "function_error") return 200;
  return call.outcome === "gone" ? 404 : 500;
}
