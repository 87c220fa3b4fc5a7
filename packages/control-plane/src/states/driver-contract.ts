// What a durable driver of the engine needs from the rest of the control plane, for
// the increment that serves the Step Functions API. The loop is the in-memory
// driver's: read the history, decide, append by compare-and-set, perform the effects
// (idempotent by key), append their outcomes, and decide again when a timer fires.
import type { HistoryEvent, InvokeEffect, StartExecutionEffect, TimerEffect } from "./types.js";

/** The execution's history in Postgres: the one event log an execution has. */
export interface HistoryStore {
  /** Every event of the execution, in id order. */
  read(executionArn: string): Promise<HistoryEvent[]>;
  /**
   * Appends `events` only if the history has exactly `expectedLength` events (unique
   * (execution, event id) makes two writers collide); false when another one moved it
   * first, and then nothing is written. A batch ending the execution updates its status
   * in the same transaction.
   */
  append(executionArn: string, expectedLength: number, events: HistoryEvent[]): Promise<boolean>;
}

/** How effects leave the engine. Each must be idempotent by its key: re-decided effects come back after any crash. */
export interface EffectPort {
  /** An async invoke through the durable path; its result comes back as outcomeEvent(...) appended to the history. */
  invoke(executionArn: string, effect: InvokeEffect): Promise<void>;
  /** A nested execution, named so a second start with the same key finds the first. */
  startExecution(executionArn: string, effect: StartExecutionEffect): Promise<void>;
  /** A durable timer (a delayed job): at `fireAt` the execution is decided again. */
  startTimer(executionArn: string, effect: TimerEffect): Promise<void>;
}
