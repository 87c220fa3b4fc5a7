// The events a driver appends from outside the engine: the ExecutionStarted that opens
// a history, and the outcome of an effect (a function's result or error, a callback,
// a nested execution). They point back to the event that scheduled the work, so the
// fold files them under the right thread; shapes are AWS's.
import type { Effect, HistoryEvent, Json } from "./types.js";

/** What became of a task: its result, or an error named as Step Functions names it. */
export type TaskOutcome = { ok: true; value: Json } | { ok: false; error: string; cause: string };

export function executionStartedEvent(input: Json, roleArn: string, now: number): HistoryEvent {
  return {
    id: 1,
    previousEventId: 0,
    timestamp: new Date(now).toISOString(),
    type: "ExecutionStarted",
    executionStartedEventDetails: { input: JSON.stringify(input), inputDetails: { truncated: false }, roleArn },
  };
}

/** The outcome event for `effect`, to append after `history` (timers have none: deciding again is their outcome). */
export function outcomeEvent(
  history: readonly HistoryEvent[],
  effect: Exclude<Effect, { kind: "timer" }>,
  outcome: TaskOutcome,
  now: number,
): HistoryEvent {
  const base = {
    id: history.length + 1,
    previousEventId: effect.scheduledEventId,
    timestamp: new Date(now).toISOString(),
  };
  if (effect.kind === "invoke" && effect.events === "lambda") {
    return outcome.ok
      ? {
          ...base,
          type: "LambdaFunctionSucceeded",
          lambdaFunctionSucceededEventDetails: {
            output: JSON.stringify(outcome.value),
            outputDetails: { truncated: false },
          },
        }
      : {
          ...base,
          type: "LambdaFunctionFailed",
          lambdaFunctionFailedEventDetails: { error: outcome.error, cause: outcome.cause },
        };
  }
  // The outcome names the resource as its TaskScheduled event did.
  const scheduled = (history[effect.scheduledEventId - 1]?.taskScheduledEventDetails ?? {}) as Record<string, string>;
  const { resourceType = "", resource = "" } = scheduled;
  if (!outcome.ok) {
    return {
      ...base,
      type: "TaskFailed",
      taskFailedEventDetails: { resourceType, resource, error: outcome.error, cause: outcome.cause },
    };
  }
  const output: Json =
    effect.kind === "invoke" && effect.wrapOutput
      ? {
          ExecutedVersion: "$LATEST",
          Payload: outcome.value,
          SdkHttpMetadata: { HttpStatusCode: 200 },
          SdkResponseMetadata: {},
          StatusCode: 200,
        }
      : outcome.value;
  return {
    ...base,
    type: "TaskSucceeded",
    taskSucceededEventDetails: {
      resourceType,
      resource,
      output: JSON.stringify(output),
      outputDetails: { truncated: false },
    },
  };
}

/** A Lambda function's error, as a Task sees it: its errorType is the error name, the whole error the cause. */
export function functionError(errorType: string, errorMessage: string): TaskOutcome {
  return { ok: false, error: errorType, cause: JSON.stringify({ errorMessage, errorType, trace: [] }) };
}
