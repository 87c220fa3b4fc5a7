// The shapes the workflow engine works on: a definition (Amazon States Language), the
// execution history (events named and shaped as GetExecutionHistory returns them) and
// the decision the engine hands its driver (events to append, effects to perform).
// Everything here is plain JSON so a store can keep it and a replay can read it back;
// a history event is the store's (store/execution-store.ts).
import type { HistoryEvent } from "../store/execution-store.js";
import type { ServiceName } from "./task-resources.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type QueryLanguage = "JSONPath" | "JSONata";

/** A state as written in a definition; fields are read by each state type's module. */
export type StateDef = { Type: string; [field: string]: unknown };

/** A States block: the top-level machine, a Parallel branch or a Map's ItemProcessor. */
export interface StatesBlock {
  StartAt: string;
  States: Record<string, StateDef>;
  QueryLanguage?: QueryLanguage;
}

export interface Definition extends StatesBlock {
  Comment?: string;
  TimeoutSeconds?: number;
  Version?: string;
}

/** Who the execution is: what `$$.Execution` and `$$.StateMachine` say, and the seed of its randomness. */
export interface ExecutionInfo {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
}

export type { HistoryEvent };

/** An event the engine decided, before the driver appends it (ids are decided too). */
export type NewEvent = HistoryEvent;

export interface InvokeEffect {
  kind: "invoke";
  /** Unique per (execution, thread, state visit, attempt): a driver running it twice must invoke once. */
  idempotencyKey: string;
  /** The event the invocation answers; the outcome event points back to it. */
  scheduledEventId: number;
  /** `lambda` (LambdaFunction* events) or `task` (Task* events, `arn:aws:states:::lambda:invoke`). */
  events: "lambda" | "task";
  functionArn: string;
  payload: Json;
  /** Output shape `{Payload, StatusCode, ...}` of the lambda:invoke integration. */
  wrapOutput: boolean;
}

export interface CallbackEffect {
  kind: "awaitCallback";
  scheduledEventId: number;
  taskToken: string;
  /** What was sent to the resource (the message carrying the token). */
  functionArn: string;
  payload: Json;
  idempotencyKey: string;
}

export interface StartExecutionEffect {
  kind: "startExecution";
  scheduledEventId: number;
  idempotencyKey: string;
  stateMachineArn: string;
  input: Json;
  name?: string;
  /** `.waitForTaskToken`: the child is started and the task waits for this token's callback. */
  taskToken?: string;
  /** `.sync` variants wait for the child's end; the plain one answers when it started. */
  waitForCompletion: boolean;
  /** `.sync:2` outputs the child's Output as JSON, `.sync` as a string. */
  outputAsJson: boolean;
}

/** A service integration's call: sqs:sendMessage, events:putEvents or sns:publish, with `.waitForTaskToken` or not. */
export interface ServiceCallEffect {
  kind: "serviceCall";
  scheduledEventId: number;
  idempotencyKey: string;
  service: ServiceName;
  /** The task's parameters, as the service's API takes them. */
  parameters: Json;
  /** `.waitForTaskToken`: the call carries the token and the task waits for its callback. */
  taskToken?: string;
}

export interface TimerEffect {
  kind: "timer";
  /** Stable per timer, so re-deciding does not create a second one. */
  timerKey: string;
  /** When `decide` should be called again (ms since the epoch). */
  fireAt: number;
}

export type Effect = InvokeEffect | CallbackEffect | StartExecutionEffect | ServiceCallEffect | TimerEffect;

/**
 * What the driver does next. `append` goes first and only if the history still has
 * `expectedLength` events (compare-and-set); effects are idempotent by key and are
 * re-decided from the history after any crash, so performing them again is safe.
 */
export interface Decision {
  append?: { expectedLength: number; events: NewEvent[] };
  effects: Effect[];
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
}
