// Wait: holds its thread until a time (Seconds or Timestamp, written, by path or by
// JSONata) measured from when the state was entered. It never sleeps: it answers a
// durable timer effect, and the driver decides again when the timer fires.
import { blocked, type Decider, type StepResult } from "./decider.js";
import { runtimeError } from "./errors.js";
import type { Thread } from "./history.js";
import { stateOutput } from "./io.js";
import { evaluateField } from "./jsonata-eval.js";
import { applyFilterPath, selectPath } from "./paths.js";
import type { Json, StateDef } from "./types.js";

async function until(d: Decider, t: Thread, def: StateDef): Promise<number> {
  const s = d.scopes(t);
  const read = async (field: string): Promise<Json | undefined> => {
    if (s.jsonata) return def[field] === undefined ? undefined : evaluateField(def[field], s.jsonataScope(), field);
    const path = def[`${field}Path`];
    if (typeof path === "string") {
      const input = applyFilterPath(t.input, def.InputPath, "InputPath", s.path);
      return selectPath(input, path, `${field}Path`, s.path);
    }
    return def[field] as Json | undefined;
  };
  const seconds = await read("Seconds");
  if (seconds !== undefined) {
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
      throw runtimeError(
        `The Seconds of Wait state ${t.state} must be a non-negative integer, not ${JSON.stringify(seconds)}`,
      );
    }
    return t.enteredAt + seconds * 1000;
  }
  const timestamp = await read("Timestamp");
  const at = typeof timestamp === "string" ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) {
    throw runtimeError(
      `The Timestamp of Wait state ${t.state} must be an ISO-8601 time, not ${JSON.stringify(timestamp)}`,
    );
  }
  return at;
}

export async function stepWait(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const at = await until(d, t, def);
  if (d.now < at) return blocked({ kind: "timer", timerKey: `${t.key}/${t.state}@${t.enteredEventId}`, fireAt: at });
  const out = await stateOutput(def, t.input, undefined, d.scopes(t));
  return d.exit(t, out.output, def.Next as string | undefined, out.assigned);
}
