// The workflow engine: `decide(definition, history, now, info, heartbeats)` folds the
// history and steps every live thread (the execution, its Parallel branches, its Map iterations) until
// none can move without the outside world. It returns the events to append (with the
// history length they extend, for a compare-and-set append) and the effects that are
// pending. It reads no clock and draws no unseeded randomness: the same history,
// `now` and heartbeats (SendTaskHeartbeat leaves no event) always give the same decision.
import { Decider, progress, type StepResult } from "./decider.js";
import { StatesFailure } from "./errors.js";
import { emptyView, foldEvent, stateOf, type Thread } from "./history.js";
import { stepChoice } from "./state-choice.js";
import { stepFail, stepSucceed } from "./state-end.js";
import { stepMap } from "./state-map.js";
import { stepParallel } from "./state-parallel.js";
import { stepPass } from "./state-pass.js";
import { stepTask } from "./state-task.js";
import { stepWait } from "./state-wait.js";
import type { Decision, Definition, Effect, ExecutionInfo, HistoryEvent, StateDef } from "./types.js";

type Step = (d: Decider, t: Thread, def: StateDef) => Promise<StepResult>;

const behaviours: Record<string, Step> = {
  Pass: stepPass,
  Task: stepTask,
  Choice: stepChoice,
  Wait: stepWait,
  Succeed: stepSucceed,
  Fail: stepFail,
  Parallel: stepParallel,
  Map: stepMap,
};

/** Step Functions' limit on a history: an execution that reaches it fails (a loop that never waits does). */
export const maxHistoryEvents = 25_000;
const historyHeadroom = 100;

async function stepThread(d: Decider, t: Thread): Promise<StepResult> {
  if (t.state === undefined) {
    if (t.kind !== "root") return { kind: "blocked", effects: [] };
    d.enter(t, d.definition.StartAt, d.view.input);
    return progress;
  }
  if (t.exited !== undefined) return { kind: "done", result: { ok: true, value: t.exited } };
  const def = stateOf(t) as StateDef;
  const behaviour = behaviours[def.Type];
  try {
    if (!behaviour) throw new StatesFailure("States.Runtime", `State type ${def.Type} is not supported`);
    return await behaviour(d, t, def);
  } catch (e) {
    if (!(e instanceof StatesFailure)) throw e;
    try {
      return await d.handleError(t, e);
    } catch (again) {
      // The catcher's own processing failed (its ResultPath, its Output): the thread fails with that.
      if (!(again instanceof StatesFailure)) throw again;
      return { kind: "done", result: { ok: false, error: again.error, cause: again.cause } };
    }
  }
}

function statusOf(t: Thread | undefined): Decision["status"] {
  const statuses = { succeeded: "SUCCEEDED", failed: "FAILED", timedOut: "TIMED_OUT", aborted: "ABORTED" } as const;
  return t?.closed ? statuses[t.closed] : "RUNNING";
}

/** The next step of an execution, decided from its history alone. */
export async function decide(
  definition: Definition,
  history: readonly HistoryEvent[],
  now: number,
  info: ExecutionInfo,
  heartbeats: Readonly<Record<string, number>> = {},
): Promise<Decision> {
  const view = emptyView();
  for (const e of history) foldEvent(view, definition, e);
  const root = view.threads.get("");
  if (!root) throw new Error("The history does not start with ExecutionStarted");
  const d = new Decider(definition, info, view, now, heartbeats);
  let effects: Effect[] = [];
  for (let moved = true; moved && !root.closed; ) {
    moved = false;
    effects = [];
    if (definition.TimeoutSeconds !== undefined) {
      const deadline = view.startedAt + definition.TimeoutSeconds * 1000;
      if (now >= deadline) {
        d.emit(root, "ExecutionTimedOut", {
          error: "States.Timeout",
          cause: `The execution ran longer than ${definition.TimeoutSeconds} seconds`,
        });
        break;
      }
      effects.push({ kind: "timer", timerKey: "execution#timeout", fireAt: deadline });
    }
    for (const t of [...view.threads.values()]) {
      if (t.closed === "aborted" || root.closed || d.results.has(t.key)) continue;
      const r = await stepThread(d, t);
      if (r.kind === "blocked") effects.push(...r.effects);
      else if (r.kind === "progress") moved = true;
      else if (t.kind !== "root") {
        d.results.set(t.key, r.result);
        moved = true;
      } else {
        if (r.result.ok)
          d.emit(t, "ExecutionSucceeded", {
            output: JSON.stringify(r.result.value),
            outputDetails: { truncated: false },
          });
        else d.emit(t, "ExecutionFailed", { error: r.result.error, cause: r.result.cause });
        moved = true;
      }
      // One step appends a few events (a Map launch up to 2 × 40 + 1): keep room for them.
      if (view.events.length >= maxHistoryEvents - historyHeadroom && !root.closed) {
        const cause = `The execution reached the limit of ${maxHistoryEvents} events in its history`;
        d.emit(root, "ExecutionFailed", { error: "States.Runtime", cause });
        break;
      }
    }
  }
  return {
    ...(d.events.length > 0 ? { append: { expectedLength: history.length, events: d.events } } : {}),
    effects: root.closed ? [] : effects,
    status: statusOf(root),
  };
}
