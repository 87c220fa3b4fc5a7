// Inline Map: runs its ItemProcessor once per item, at most MaxConcurrency (default
// 10, at most 40) at a time, and succeeds with the list of outputs. Failures beyond
// ToleratedFailureCount / ToleratedFailurePercentage fail it fast: running iterations
// are aborted, and the error (the iteration's, or States.ExceedToleratedFailureThreshold
// when a tolerance was set) goes to Retry and Catch.
import { blocked, Decider, progress, type StepResult } from "./decider.js";
import { runtimeError } from "./errors.js";
import type { Thread } from "./history.js";
import { stateOutput } from "./io.js";
import { evaluateField } from "./jsonata-eval.js";
import { applyFilterPath, fillTemplate, selectPath } from "./paths.js";
import { childResults } from "./state-parallel.js";
import type { Json, JsonObject, StateDef, StatesBlock } from "./types.js";

export const defaultMaxConcurrency = 10;
/** Inline Map runs at most 40 iterations at once in Step Functions, whatever MaxConcurrency says. */
export const inlineConcurrencyLimit = 40;

async function items(d: Decider, t: Thread, def: StateDef): Promise<Json[]> {
  const s = d.scopes(t);
  let value: Json;
  if (s.jsonata) value = def.Items === undefined ? t.input : await evaluateField(def.Items, s.jsonataScope(), "Items");
  else {
    const input = applyFilterPath(t.input, def.InputPath, "InputPath", s.path);
    value = selectPath(input, (def.ItemsPath as string | undefined) ?? "$", "ItemsPath", s.path);
  }
  if (!Array.isArray(value))
    throw runtimeError(`The Map state ${t.state} needs an array of items, not ${JSON.stringify(value)}`);
  return value;
}

/** An iteration's input: the item, or the ItemSelector (legacy: Parameters) filled with `$$.Map.Item`. */
async function itemInput(d: Decider, t: Thread, def: StateDef, item: Json, index: number): Promise<Json> {
  const selector = def.ItemSelector ?? def.Parameters;
  if (selector === undefined) return item;
  const s = d.scopes(t, { Map: { Item: { Index: index, Value: item } } });
  if (s.jsonata) return evaluateField(selector, s.jsonataScope(), "ItemSelector");
  const input = applyFilterPath(t.input, def.InputPath, "InputPath", s.path);
  return fillTemplate(selector as Json, input, "ItemSelector", s.path);
}

function numberField(t: Thread, def: StateDef, name: string, d: Decider): number | undefined {
  const path = def[`${name}Path`];
  const v = typeof path === "string" ? selectPath(t.input, path, `${name}Path`, d.scopes(t).path) : def[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || v < 0)
    throw runtimeError(`${name} of Map state ${t.state} must be a non-negative number`);
  return v;
}

async function start(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const list = await items(d, t, def);
  d.emit(t, "MapStateStarted", { length: list.length });
  return launch(d, t, def, list);
}

/** Starts iterations while fewer than MaxConcurrency run. */
async function launch(d: Decider, t: Thread, def: StateDef, list: Json[]): Promise<StepResult> {
  const cap = Math.min(numberField(t, def, "MaxConcurrency", d) || defaultMaxConcurrency, inlineConcurrencyLimit);
  const block = (def.ItemProcessor ?? def.Iterator) as StatesBlock;
  let running = t.children.filter((k) => !d.view.threads.get(k)?.closed).length;
  let launched = false;
  while (running < cap && t.children.length < list.length) {
    const index = t.children.length;
    const input = await itemInput(d, t, def, list[index] as Json, index);
    d.emit(t, "MapIterationStarted", { name: t.state, index });
    const child = d.view.threads.get(t.children[index] as string) as Thread;
    d.enter(child, block.StartAt, input);
    running++;
    launched = true;
  }
  return launched ? progress : blocked();
}

export async function stepMap(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  if (!t.started) return start(d, t, def);
  if (t.outcome && !t.outcome.ok) return d.handleError(t, Decider.failureOf(t.outcome), () => start(d, t, def));
  const list = await items(d, t, def);
  const results = childResults(d, t);
  let moved = false;
  for (const [i, r] of results.entries()) {
    const child = d.view.threads.get(t.children[i] as string) as Thread;
    if (!r || child.closed) continue;
    d.emit(child, r.ok ? "MapIterationSucceeded" : "MapIterationFailed", { name: t.state, index: i });
    moved = true;
  }
  const failures = results.filter((r) => r && !r.ok);
  const count = numberField(t, def, "ToleratedFailureCount", d);
  const percentage = numberField(t, def, "ToleratedFailurePercentage", d);
  const tolerating = count !== undefined || percentage !== undefined;
  const tolerated =
    (count === undefined || failures.length <= count) &&
    (percentage === undefined || (failures.length / list.length) * 100 <= percentage);
  if (failures.length > 0 && !(tolerating && tolerated)) {
    for (const [i, key] of t.children.entries()) {
      const child = d.view.threads.get(key) as Thread;
      if (!child.closed) d.emit(child, "MapIterationAborted", { name: t.state, index: i });
    }
    const first = failures[0] as { ok: false; error: string; cause: string };
    const error = tolerating
      ? {
          error: "States.ExceedToleratedFailureThreshold",
          cause: `The Map state ${t.state} had ${failures.length} failed iterations, more than it tolerates`,
        }
      : { error: first.error, cause: first.cause };
    d.emit(t, "MapStateFailed", error);
    return progress;
  }
  if (t.children.length < list.length) {
    const launched = await launch(d, t, def, list);
    return moved ? progress : launched;
  }
  if (results.some((r) => r === undefined)) return moved ? progress : blocked();
  d.emit(t, "MapStateSucceeded");
  const value = results.map((r) => (r?.ok ? r.value : ({ Error: r?.error, Cause: r?.cause } as JsonObject))) as Json[];
  const out = await stateOutput(def, t.input, value, d.scopes(t));
  return d.exit(t, out.output, def.Next as string | undefined, out.assigned);
}
