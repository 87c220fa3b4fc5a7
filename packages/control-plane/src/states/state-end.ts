// Succeed and Fail: the two states that end their thread. Succeed ends it with its
// (filtered) input; Fail with an error and cause, written or taken by ErrorPath /
// CausePath (JSONPath, intrinsics allowed) or JSONata expressions.
import { type Decider, progress, type StepResult } from "./decider.js";
import { StatesFailure } from "./errors.js";
import type { Thread } from "./history.js";
import { evaluateIntrinsic } from "./intrinsics.js";
import { stateOutput } from "./io.js";
import { evaluateField } from "./jsonata-eval.js";
import { selectPath } from "./paths.js";
import type { Json, StateDef } from "./types.js";

export async function stepSucceed(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const out = await stateOutput(def, t.input, undefined, d.scopes(t));
  d.exit(t, out.output, undefined, out.assigned);
  return progress;
}

export async function stepFail(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const s = d.scopes(t);
  const read = async (field: "Error" | "Cause"): Promise<string | undefined> => {
    if (s.jsonata) {
      const v = def[field] === undefined ? undefined : await evaluateField(def[field], s.jsonataScope(), field);
      return v === undefined || v === null ? undefined : String(v);
    }
    const path = def[`${field}Path`];
    if (typeof path !== "string") return def[field] as string | undefined;
    const value: Json = path.startsWith("States.")
      ? evaluateIntrinsic(path, (p) => selectPath(t.input, p, `${field}Path`, s.path), s.path.random)
      : selectPath(t.input, path, `${field}Path`, s.path);
    if (typeof value !== "string") {
      throw new StatesFailure(
        "States.Runtime",
        `The ${field}Path '${path}' must select a string, not ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  const error = (await read("Error")) ?? "";
  const cause = (await read("Cause")) ?? "";
  return { kind: "done", result: { ok: false, error, cause } };
}
