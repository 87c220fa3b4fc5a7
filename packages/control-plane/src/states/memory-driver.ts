// An in-memory driver for the engine, for tests: it keeps one history, appends decided
// events by compare-and-set, performs effects against fake functions exactly once per
// idempotency key, and moves a fake clock to the next timer when nothing else can
// happen. The durable driver (Postgres, the async invoke path, timers as delayed jobs)
// follows the same loop.
import { decide } from "./engine.js";
import { executionStartedEvent, outcomeEvent, type TaskOutcome } from "./outcome-events.js";
import type { Decision, Definition, Effect, ExecutionInfo, HistoryEvent, Json, StartExecutionEffect } from "./types.js";

/** A fake function's answer that never comes (for timeouts): the driver appends no outcome. */
export const NEVER = Symbol("never answers");

/** A fake function: answers a payload (call counts this function's calls from 1). */
export type FakeFunction = (payload: Json, call: number) => TaskOutcome | Json | typeof NEVER;

export interface MemoryDriverOptions {
  functions?: Record<string, FakeFunction>;
  /**
   * Fake service integrations by service (sqs, events): what the call answers, given its
   * parameters and, for `.waitForTaskToken`, its token (the answer stands for the callback).
   */
  services?: Record<string, (parameters: Json, token: string | undefined) => TaskOutcome | Json | typeof NEVER>;
  /** Nested state machines by ARN, for states:startExecution. */
  machines?: Record<string, Definition>;
  /** Start time of the fake clock (ms). */
  startAt?: number;
}

export interface RunResult {
  status: Decision["status"];
  output?: Json;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  invocations: { key: string; functionArn: string; payload: Json }[];
}

const isOutcome = (v: unknown): v is TaskOutcome =>
  !!v && typeof v === "object" && "ok" in v && typeof (v as { ok: unknown }).ok === "boolean";
const functionName = (arn: string) => /:function:([^:]+)/.exec(arn)?.[1] ?? arn;

export class MemoryDriver {
  readonly history: HistoryEvent[] = [];
  clock: number;
  readonly invocations: RunResult["invocations"] = [];
  /** Every decision taken, with the history length and clock it was taken at (for replay tests). */
  readonly decisions: { length: number; now: number; decision: Decision }[] = [];
  private readonly done = new Set<string>();
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly definition: Definition,
    private readonly info: ExecutionInfo,
    private readonly options: MemoryDriverOptions = {},
  ) {
    this.clock = options.startAt ?? Date.parse("2026-01-01T00:00:00Z");
  }

  /** Appends `events` only if the history still has `expectedLength` events. */
  append(expectedLength: number, events: HistoryEvent[]): boolean {
    if (this.history.length !== expectedLength) return false;
    this.history.push(...events);
    return true;
  }

  async run(input: Json, maxRounds = 10_000): Promise<RunResult> {
    this.append(0, [executionStartedEvent(input, this.info.roleArn, this.clock)]);
    for (let round = 0; round < maxRounds; round++) {
      const decision = await decide(this.definition, this.history, this.clock, this.info);
      this.decisions.push({ length: this.history.length, now: this.clock, decision });
      if (decision.append) this.append(decision.append.expectedLength, decision.append.events);
      if (decision.status !== "RUNNING") return this.result(decision.status);
      let acted = !!decision.append;
      for (const effect of decision.effects) {
        if (effect.kind === "timer" || this.done.has(effect.idempotencyKey)) continue;
        this.done.add(effect.idempotencyKey);
        const outcome = await this.perform(effect);
        if (outcome === NEVER) continue;
        this.history.push(outcomeEvent(this.history, effect, outcome, this.clock));
        acted = true;
      }
      if (acted) continue;
      const timers = decision.effects.filter((e) => e.kind === "timer").map((e) => e.fireAt);
      if (timers.length === 0) throw new Error("The execution is stuck: nothing pending and no timer");
      this.clock = Math.max(this.clock, Math.min(...timers));
    }
    throw new Error(`The execution did not finish in ${maxRounds} rounds`);
  }

  private async perform(effect: Exclude<Effect, { kind: "timer" }>): Promise<TaskOutcome | typeof NEVER> {
    if (effect.kind === "startExecution") return this.startChild(effect);
    if (effect.kind === "serviceCall") {
      const service = this.options.services?.[effect.service];
      if (!service) return { ok: false, error: "States.Runtime", cause: `No fake ${effect.service} service` };
      const answer = service(effect.parameters, effect.taskToken);
      if (answer === NEVER || isOutcome(answer)) return answer;
      return { ok: true, value: answer };
    }
    this.invocations.push({ key: effect.idempotencyKey, functionArn: effect.functionArn, payload: effect.payload });
    const name = functionName(effect.functionArn);
    const fn = this.options.functions?.[name];
    if (!fn)
      return {
        ok: false,
        error: "Lambda.ResourceNotFoundException",
        cause: `Function not found: ${effect.functionArn}`,
      };
    const call = (this.calls.get(name) ?? 0) + 1;
    this.calls.set(name, call);
    // A callback function's answer stands for the SendTaskSuccess/Failure its token would get.
    const answer = fn(
      effect.kind === "awaitCallback" ? { ...(effect.payload as object), __token: effect.taskToken } : effect.payload,
      call,
    );
    if (answer === NEVER || isOutcome(answer)) return answer;
    return { ok: true, value: answer };
  }

  private async startChild(effect: StartExecutionEffect): Promise<TaskOutcome> {
    const { stateMachineArn: arn, input, name } = effect;
    const definition = this.options.machines?.[arn];
    if (!definition)
      return {
        ok: false,
        error: "StepFunctions.StateMachineDoesNotExistException",
        cause: `State Machine Does Not Exist: '${arn}'`,
      };
    const childName = name ?? `child-${this.history.length}`;
    const executionArn = `${arn.replace(":stateMachine:", ":execution:")}:${childName}`;
    const child = new MemoryDriver(
      definition,
      { ...this.info, executionArn, name: childName, stateMachineArn: arn },
      { ...this.options, startAt: this.clock },
    );
    const started = { ExecutionArn: executionArn, StartDate: new Date(this.clock).toISOString() };
    if (!effect.waitForCompletion) return { ok: true, value: started };
    const r = await child.run(input);
    if (r.status === "SUCCEEDED")
      return {
        ok: true,
        value: {
          ...started,
          Output: effect.outputAsJson ? (r.output ?? null) : JSON.stringify(r.output),
          Status: "SUCCEEDED",
        },
      };
    return {
      ok: false,
      error: "States.TaskFailed",
      cause: JSON.stringify({ ...started, Status: r.status, Error: r.error, Cause: r.cause }),
    };
  }

  private result(status: Decision["status"]): RunResult {
    const last = this.history[this.history.length - 1] as HistoryEvent;
    const d = (last.executionSucceededEventDetails ??
      last.executionFailedEventDetails ??
      last.executionTimedOutEventDetails ??
      {}) as Record<string, string>;
    return {
      status,
      ...(d.output !== undefined ? { output: JSON.parse(d.output) as Json } : {}),
      ...(d.error !== undefined ? { error: d.error, cause: d.cause } : {}),
      history: this.history,
      invocations: this.invocations,
    };
  }
}
