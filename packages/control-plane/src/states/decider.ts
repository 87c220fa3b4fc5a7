// One decision in the making: the view folded from the history, the events decided so
// far (each folded at once, so later steps see them), and the helpers every state
// type uses to enter, exit and fail. Pure: time is the decision's `now`, randomness is
// seeded by the execution and its position in the history.
import { StatesFailure } from "./errors.js";
import { foldEvent, type Outcome, stateOf, type Thread, type View } from "./history.js";
import { catcherOutput, type Scopes } from "./io.js";
import type { JsonataScope } from "./jsonata-eval.js";
import { type Catcher, decideOnError, type Retrier } from "./retry-catch.js";
import { seededRandom } from "./rng.js";
import type { Definition, Effect, ExecutionInfo, HistoryEvent, Json, JsonObject, StateDef } from "./types.js";

export type StepResult =
  | { kind: "progress" }
  | { kind: "blocked"; effects: Effect[] }
  | { kind: "done"; result: Outcome };

export const progress: StepResult = { kind: "progress" };
export const blocked = (...effects: Effect[]): StepResult => ({ kind: "blocked", effects });

/** Step Functions' limit on a state's input or output. */
export const maxPayloadBytes = 256 * 1024;

const lowerFirst = (s: string) => `${s[0]?.toLowerCase()}${s.slice(1)}`;

export class Decider {
  readonly events: HistoryEvent[] = [];
  /** Results of threads that finished, found while stepping them in this decision. */
  readonly results = new Map<string, Outcome>();

  constructor(
    readonly definition: Definition,
    readonly info: ExecutionInfo,
    readonly view: View,
    readonly now: number,
    /** The last SendTaskHeartbeat (ms since the epoch) of each pending callback task, by its effect key. */
    readonly heartbeats: Readonly<Record<string, number>> = {},
  ) {}

  /** Appends (and folds) an event following `prev` (default: the thread's last event). */
  emit(t: Thread, type: string, details?: Record<string, unknown>, prev = t.lastEventId): HistoryEvent {
    const key = type.endsWith("StateEntered")
      ? "stateEnteredEventDetails"
      : type.endsWith("StateExited")
        ? "stateExitedEventDetails"
        : `${lowerFirst(type)}EventDetails`;
    const e: HistoryEvent = {
      id: this.view.events.length + 1,
      previousEventId: prev,
      timestamp: new Date(this.now).toISOString(),
      type,
      ...(details ? { [key]: details } : {}),
    };
    foldEvent(this.view, this.definition, e);
    this.events.push(e);
    return e;
  }

  /** Enters state `name` of the thread's block (a new branch: `prev` is its ParallelStateStarted). */
  enter(t: Thread, name: string, input: Json, prev?: number, block = t.block): void {
    const def = block.States[name] as StateDef;
    this.emit(
      t,
      `${def.Type}StateEntered`,
      { name, input: JSON.stringify(input), inputDetails: { truncated: false } },
      prev,
    );
  }

  /** Exits the current state with `output`, then enters `next` (none: the thread ends with that output). */
  exit(t: Thread, output: Json, next: string | undefined, assigned: JsonObject = {}): StepResult {
    const def = stateOf(t) as StateDef;
    const size = Buffer.byteLength(JSON.stringify(output));
    if (size > maxPayloadBytes) {
      throw new StatesFailure(
        "States.DataLimitExceeded",
        `The state/task output of ${size} bytes exceeds the 262144-byte limit`,
      );
    }
    const details: Record<string, unknown> = {
      name: t.state,
      output: JSON.stringify(output),
      outputDetails: { truncated: false },
    };
    if (Object.keys(assigned).length > 0) {
      details.assignedVariables = Object.fromEntries(Object.entries(assigned).map(([k, v]) => [k, JSON.stringify(v)]));
    }
    this.emit(t, `${def.Type}StateExited`, details);
    if (next !== undefined) this.enter(t, next, output);
    return progress;
  }

  /** A seeded random source for the thread at its current point in the history. */
  random(t: Thread): () => number {
    return seededRandom(`${this.info.executionArn}|${t.key}|${t.lastEventId}`);
  }

  /** The context object `$$` / `$states.context` of the thread's current state. */
  context(t: Thread, extra: JsonObject = {}): JsonObject {
    return {
      Execution: {
        Id: this.info.executionArn,
        Input: this.view.input,
        Name: this.info.name,
        RoleArn: this.info.roleArn,
        StartTime: new Date(this.view.startedAt).toISOString(),
        RedriveCount: 0,
      },
      // A retry is scheduled while its failure is still the thread's outcome (folded into
      // `errors` only when the next attempt's Scheduled event is): count it, so the first
      // retry sees 1, as in Step Functions.
      State: { EnteredTime: new Date(t.enteredAt).toISOString(), Name: t.state ?? "", RetryCount: retries(t) },
      StateMachine: { Id: this.info.stateMachineArn, Name: this.info.stateMachineName },
      ...extra,
    };
  }

  /** The query language of the thread's current state (its own, else the definition's). */
  isJsonata(t: Thread): boolean {
    const def = stateOf(t);
    return (def?.QueryLanguage ?? this.definition.QueryLanguage) === "JSONata";
  }

  scopes(t: Thread, contextExtra: JsonObject = {}): Scopes {
    const random = this.random(t);
    const context = this.context(t, contextExtra);
    return {
      jsonata: this.isJsonata(t),
      path: { context, random },
      jsonataScope: (extra: JsonObject = {}): JsonataScope => ({
        states: { input: t.input, context, ...extra },
        vars: t.vars,
        now: this.now,
        random,
      }),
    };
  }

  /**
   * What a state does with an error: retry (`restart` re-runs its work once the backoff
   * has passed; only recorded errors are retried), catch (exit to the catcher's Next)
   * or end the thread failed.
   */
  async handleError(t: Thread, failure: StatesFailure, restart?: () => Promise<StepResult>): Promise<StepResult> {
    const def = stateOf(t) as StateDef;
    const retriers = restart ? ((def.Retry ?? []) as Retrier[]) : [];
    const catchers = (def.Catch ?? []) as Catcher[];
    const decision = decideOnError(retriers, catchers, failure.error, t.errors, this.random(t));
    if ("retry" in decision && restart) {
      const at = t.outcomeAt + decision.delayMs;
      if (this.now < at)
        return blocked({
          kind: "timer",
          timerKey: `${t.key}/${t.state}@${t.enteredEventId}#retry${t.errors.length}`,
          fireAt: at,
        });
      return restart();
    }
    if ("catch" in decision) {
      const catcher = catchers[decision.catch] as Catcher;
      const out = await catcherOutput(catcher, t.input, failure, this.scopes(t));
      return this.exit(t, out.output, catcher.Next, out.assigned);
    }
    return { kind: "done", result: { ok: false, error: failure.error, cause: failure.cause } };
  }

  /** A thread's outcome as an error to handle. */
  static failureOf(outcome: Outcome): StatesFailure {
    return outcome.ok
      ? new StatesFailure("States.Runtime", "not a failure")
      : new StatesFailure(outcome.error, outcome.cause);
  }
}

/** Retries made so far: the errors already retried, and the failure being retried now. */
const retries = (t: Thread) => t.errors.length + (t.outcome && !t.outcome.ok ? 1 : 0);
