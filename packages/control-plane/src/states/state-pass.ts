// Pass: passes its input (or its Result, or its Parameters' result) to its output
// without doing work; the simplest state and the model for the others.
import { type Decider, progress, type StepResult } from "./decider.js";
import type { Thread } from "./history.js";
import { effectiveInput, stateOutput } from "./io.js";
import type { Json, StateDef } from "./types.js";

export async function stepPass(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const s = d.scopes(t);
  if (s.jsonata) {
    const out = await stateOutput(def, t.input, undefined, s);
    return d.exit(t, out.output, def.Next as string | undefined, out.assigned);
  }
  const result = def.Result !== undefined ? (def.Result as Json) : await effectiveInput(def, t.input, s);
  const out = await stateOutput(def, t.input, result, s);
  d.exit(t, out.output, def.Next as string | undefined);
  return progress;
}
