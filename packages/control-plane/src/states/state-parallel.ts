// Parallel: starts every branch with the same input, succeeds with the list of their
// outputs, and fails fast: the first failed branch (in branch order) aborts the others
// and its error becomes the state's, for Retry and Catch.
import { blocked, Decider, progress, type StepResult } from "./decider.js";
import type { Outcome, Thread } from "./history.js";
import { effectiveInput, stateOutput } from "./io.js";
import type { Json, StateDef, StatesBlock } from "./types.js";

async function start(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const input = await effectiveInput(def, t.input, d.scopes(t), "Parameters");
  const started = d.emit(t, "ParallelStateStarted");
  for (const branch of def.Branches as StatesBlock[]) d.enter(t, branch.StartAt, input, started.id, branch);
  return progress;
}

/** The results of a Map's or Parallel's current children, in order (undefined: still running). */
export function childResults(d: Decider, t: Thread): (Outcome | undefined)[] {
  return t.children.map((key) => d.results.get(key));
}

export async function stepParallel(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  if (!t.started) return start(d, t, def);
  if (t.outcome && !t.outcome.ok) return d.handleError(t, Decider.failureOf(t.outcome), () => start(d, t, def));
  const results = childResults(d, t);
  const failed = results.find((r) => r && !r.ok);
  if (failed && !failed.ok) {
    d.emit(t, "ParallelStateFailed", { error: failed.error, cause: failed.cause });
    return progress;
  }
  if (results.some((r) => r === undefined)) return blocked();
  d.emit(t, "ParallelStateSucceeded");
  const value = results.map((r) => (r?.ok ? r.value : null)) as Json[];
  const out = await stateOutput(def, t.input, value, d.scopes(t));
  return d.exit(t, out.output, def.Next as string | undefined, out.assigned);
}
