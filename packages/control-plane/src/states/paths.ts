// JSONPath processing of a JSONPath-language state: InputPath, Parameters /
// ItemSelector / ResultSelector payload templates (keys ending `.$` take a path, a
// context path `$$...` or an intrinsic function), ResultPath and OutputPath. Paths
// are evaluated by jsonpath-plus with script expressions off; a path matching nothing
// is a States.Runtime failure, as in Step Functions.
import { JSONPath } from "jsonpath-plus";
import { runtimeError, StatesFailure } from "./errors.js";
import { evaluateIntrinsic } from "./intrinsics.js";
import type { Json, JsonObject } from "./types.js";

/** What a path may read besides the state's input: the context object `$$` and a seeded random source. */
export interface PathScope {
  context: JsonObject;
  random: () => number;
}

const indefinite = /\*|\.\.|\[[^\]]*[,:?]/;
const show = (v: unknown) => JSON.stringify(v) ?? "undefined";

/** The value a path selects: one node itself, an indefinite path (wildcards, slices) the list of its nodes. */
export function selectPath(data: Json, path: string, field: string, scope: PathScope): Json {
  const fromContext = path.startsWith("$$");
  const root = fromContext ? scope.context : data;
  const p = fromContext ? path.slice(1) : path;
  if (!p.startsWith("$")) throw runtimeError(`The value for the field '${field}' must be a valid JSONPath`);
  if (p === "$") return root;
  let found: Json[];
  try {
    found = JSONPath({ path: p, json: root as object, wrap: true, eval: false }) as Json[];
  } catch (e) {
    throw runtimeError(`The JSONPath '${path}' specified for the field '${field}' is invalid: ${(e as Error).message}`);
  }
  if (indefinite.test(p)) return found;
  if (found.length === 0) {
    throw runtimeError(
      `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${show(root)}'`,
    );
  }
  return found[0] as Json;
}

/** InputPath / OutputPath: null gives `{}`, absent keeps the value. */
export function applyFilterPath(data: Json, path: unknown, field: string, scope: PathScope): Json {
  if (path === undefined) return data;
  if (path === null) return {};
  return selectPath(data, String(path), field, scope);
}

/** A payload template (Parameters, ItemSelector, ResultSelector, Arguments' JSONPath twin) filled from `data`. */
export function fillTemplate(template: Json, data: Json, field: string, scope: PathScope): Json {
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, data, field, scope));
  if (template === null || typeof template !== "object") return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith(".$")) {
      out[key] = fillTemplate(value, data, field, scope);
      continue;
    }
    const name = key.slice(0, -2);
    if (typeof value !== "string") throw runtimeError(`The value for the field '${key}' must be a STRING`);
    // A path that fails inside a template is States.ParameterPathFailure, as AWS names it.
    const read = (p: string) => {
      try {
        return selectPath(data, p, field, scope);
      } catch (e) {
        throw e instanceof StatesFailure ? new StatesFailure("States.ParameterPathFailure", e.cause) : e;
      }
    };
    out[name] = value.startsWith("States.") ? evaluateIntrinsic(value, read, scope.random) : read(value);
  }
  return out;
}

/** ResultPath: where the result goes in the state's raw input (null: nowhere; "$": it replaces it). */
export function applyResultPath(input: Json, result: Json, path: unknown): Json {
  if (path === undefined || path === "$") return result;
  if (path === null) return input;
  const p = String(path);
  const steps = parseReferencePath(p);
  const out = structuredClone(input);
  if (out === null || typeof out !== "object" || Array.isArray(out)) {
    throw resultPathError(`Unable to apply ResultPath '${p}' to input '${show(input)}': it is not an object`);
  }
  let node: JsonObject = out;
  for (const [i, step] of steps.entries()) {
    if (i === steps.length - 1) {
      node[step] = result;
      break;
    }
    const next = node[step];
    if (next === undefined) node[step] = {};
    else if (next === null || typeof next !== "object" || Array.isArray(next)) {
      throw resultPathError(`Unable to apply ResultPath '${p}': the value at '${step}' is not an object`);
    }
    node = node[step] as JsonObject;
  }
  return out;
}

const resultPathError = (cause: string) => new StatesFailure("States.ResultPathMatchFailure", cause);

/** The field names of a reference path (`$.a.b`, `$['a']`), which ResultPath requires. */
function parseReferencePath(path: string): string[] {
  if (!path.startsWith("$")) throw runtimeError(`Invalid ResultPath '${path}'`);
  const steps: string[] = [];
  const re = /\.([^.[\]]+)|\['([^']+)'\]|\["([^"]+)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw runtimeError(`ResultPath '${path}' must be a reference path to a single field`);
    steps.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return steps;
}
