// What the durable driver and the Step Functions API keep of an execution: its row
// (status, input, the revision it runs), its history appended by compare-and-set,
// its wake time (the durable timer the loop fires) and a lease that lets one control
// plane at a time decide it. Postgres implements it (sfn-execution-store.ts);
// states/memory-execution-store.ts is the same contract for unit tests.
import type { NewAsyncInvocation } from "./async-store.js";
import type { StartRequest } from "./sfn-start-requests.js";
import type { PublishRequest } from "./sns-publish-requests.js";
import type { OutgoingMessage, TargetLetter } from "./sqs-messages.js";

/** One history event, as AWS returns it: `type` plus one `<camelType>EventDetails` field. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** ISO-8601 time the event was appended. */
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionRow {
  arn: string;
  accountId: string;
  machineArn: string;
  name: string;
  revision: number;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  historyLength: number;
  /** A nested .sync execution's parent and the parent task's effect key. */
  parentArn?: string;
  parentKey?: string;
}

export type NewExecution = Pick<ExecutionRow, "arn" | "accountId" | "machineArn" | "name" | "revision" | "input"> &
  Pick<ExecutionRow, "parentArn" | "parentKey"> & { started: HistoryEvent };

export interface ExecutionPage {
  executions: ExecutionRow[];
  next?: string;
}

/**
 * A store given its machines' logging writes the CloudWatch Logs lines of the events it
 * inserts (create's ExecutionStarted, each append) in the same transaction
 * (execution-logs.ts appendedLines): a line is written exactly when its event is.
 */
export interface ExecutionStore {
  /** Inserts the execution with its ExecutionStarted; the existing row when the name is taken. */
  create(e: NewExecution): Promise<{ created: boolean; row: ExecutionRow }>;
  get(arn: string): Promise<ExecutionRow | undefined>;
  list(machineArn: string, status: ExecutionStatus | undefined, limit: number, after?: string): Promise<ExecutionPage>;
  read(arn: string): Promise<HistoryEvent[]>;
  /**
   * Appends `events` only if the history has exactly `expectedLength` events, in one
   * transaction; false (nothing written) when it moved. A closing event sets the
   * status; `wakeNow` makes the execution due at once (an outcome arrived). `tokens`
   * are the callback tokens these events hand out, answerable from the same moment the
   * history shows them.
   */
  append(
    arn: string,
    expectedLength: number,
    events: HistoryEvent[],
    wakeNow: boolean,
    tokens?: IssuedToken[],
  ): Promise<boolean>;
  /** Leases up to `limit` running executions due by now to `owner` for `leaseMs`; none leased by another. */
  claim(owner: string, limit: number, leaseMs: number): Promise<ExecutionRow[]>;
  /**
   * Lets go of a leased execution, due next at `wakeAt` (undefined: not due), or at
   * once when its history is no longer `seenLength` events long (something arrived).
   */
  release(arn: string, owner: string, seenLength: number, wakeAt: Date | undefined): Promise<void>;
  /**
   * Accepts `invocation` (its id derived from the effect) on the durable async path
   * unless accepted before, with the link that brings its end back to the execution
   * and a callback task's token, in one transaction.
   */
  acceptTask(t: TaskLink, invocation?: NewAsyncInvocation): Promise<void>;
  /**
   * Writes a service-integration task's messages and events once per (execution,
   * effect), with its token if any; true when this call wrote them.
   */
  acceptCall(t: TaskLink, writes: TaskWrites): Promise<boolean>;
  taskOfInvocation(invocationId: string): Promise<TaskLink | undefined>;
  /**
   * Deletes up to `limit` executions that ended before `before`, with their histories and
   * tasks (only Express ones when `expressOnly`); how many.
   */
  purgeEnded(before: Date, limit: number, expressOnly?: boolean): Promise<number>;
  taskOfToken(token: string): Promise<TaskLink | undefined>;
  /** Records a SendTaskHeartbeat for the token's task (SendTaskHeartbeat leaves no history event). */
  heartbeat(token: string, at: Date): Promise<void>;
  /** The last heartbeat of each callback task of the execution (ms since the epoch), by effect key. */
  heartbeats(executionArn: string): Promise<Record<string, number>>;
}

/**
 * What a service-integration task writes: messages to queues and topics, and the
 * deliveries of events it put.
 */
export interface TaskWrites {
  messages?: { queueId: string; message: OutgoingMessage }[];
  invocations?: NewAsyncInvocation[];
  letters?: TargetLetter[];
  starts?: StartRequest[];
  /** Messages to SNS topics (sns:publish, or a put event's topic target), fanned out by SNS's relay. */
  publishes?: PublishRequest[];
}

/** A `.waitForTaskToken` task's token and the effect it answers. */
export interface IssuedToken {
  token: string;
  effectKey: string;
}

export interface TaskLink {
  executionArn: string;
  accountId: string;
  effectKey: string;
  invocationId?: string;
  /** `.waitForTaskToken`: the invocation's success is not the task's outcome; its token is. */
  token?: string;
}

/** The status a closing event gives its execution, if it is one. */
export function closingStatus(e: HistoryEvent): ExecutionStatus | undefined {
  const closing: Record<string, ExecutionStatus> = {
    ExecutionSucceeded: "SUCCEEDED",
    ExecutionFailed: "FAILED",
    ExecutionTimedOut: "TIMED_OUT",
    ExecutionAborted: "ABORTED",
  };
  return closing[e.type];
}

/** The output, error and cause a closing event carries. */
export function closingFields(e: HistoryEvent): { output?: string; error?: string; cause?: string } {
  const d = (e.executionSucceededEventDetails ??
    e.executionFailedEventDetails ??
    e.executionTimedOutEventDetails ??
    e.executionAbortedEventDetails ??
    {}) as Record<string, string | undefined>;
  return {
    ...(d.output !== undefined ? { output: d.output } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
  };
}
