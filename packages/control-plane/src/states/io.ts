// A state's input and output processing in either query language. JSONPath:
// InputPath → Parameters/ItemSelector → (work) → ResultSelector → ResultPath → OutputPath.
// JSONata: Arguments (or the input) → (work) → Output (default: the result, or the
// input for states without one) and Assign.
import { evaluateAssign, evaluateField, type JsonataScope } from "./jsonata-eval.js";
import { applyFilterPath, applyResultPath, fillTemplate, type PathScope } from "./paths.js";
import type { Json, JsonObject, StateDef } from "./types.js";

export interface Scopes {
  jsonata: boolean;
  path: PathScope;
  /** `$states` and variables for JSONata, for the state's raw input. */
  jsonataScope(extra?: JsonObject): JsonataScope;
}

export interface Processed {
  output: Json;
  assigned: JsonObject;
}

/** The value a state works on: JSONPath InputPath then the template field; JSONata the template field or the input. */
export async function effectiveInput(def: StateDef, raw: Json, s: Scopes, templateField = "Parameters"): Promise<Json> {
  if (s.jsonata) {
    const field = templateField === "Parameters" ? "Arguments" : templateField;
    return def[field] === undefined ? raw : evaluateField(def[field], s.jsonataScope(), field);
  }
  const filtered = applyFilterPath(raw, def.InputPath, "InputPath", s.path);
  const template = def[templateField];
  return template === undefined ? filtered : fillTemplate(template as Json, filtered, templateField, s.path);
}

/** A state's output for `result` (undefined: a state with no result of its own: Choice, Wait, Succeed). */
export async function stateOutput(def: StateDef, raw: Json, result: Json | undefined, s: Scopes): Promise<Processed> {
  if (s.jsonata) {
    const extra: JsonObject = result === undefined ? {} : { result };
    const scope = s.jsonataScope(extra);
    const output = def.Output === undefined ? (result ?? raw) : await evaluateField(def.Output, scope, "Output");
    return { output, assigned: await evaluateAssign(def.Assign, scope) };
  }
  if (result === undefined) {
    const filtered = applyFilterPath(raw, def.InputPath, "InputPath", s.path);
    return { output: applyFilterPath(filtered, def.OutputPath, "OutputPath", s.path), assigned: {} };
  }
  const selected =
    def.ResultSelector === undefined
      ? result
      : fillTemplate(def.ResultSelector as Json, result, "ResultSelector", s.path);
  const placed = applyResultPath(raw, selected, def.ResultPath);
  return { output: applyFilterPath(placed, def.OutputPath, "OutputPath", s.path), assigned: {} };
}

/** What a catcher passes on: the error output `{Error, Cause}` placed by its ResultPath, or its JSONata Output. */
export async function catcherOutput(
  catcher: { ResultPath?: unknown; Output?: unknown; Assign?: unknown },
  raw: Json,
  error: { error: string; cause: string },
  s: Scopes,
): Promise<Processed> {
  const errorOutput: JsonObject = { Error: error.error, Cause: error.cause };
  if (s.jsonata) {
    const scope = s.jsonataScope({ errorOutput });
    const output = catcher.Output === undefined ? errorOutput : await evaluateField(catcher.Output, scope, "Output");
    return { output, assigned: await evaluateAssign(catcher.Assign, scope) };
  }
  return { output: applyResultPath(raw, errorOutput, catcher.ResultPath), assigned: {} };
}
