// The JSONata query language of a state (QueryLanguage "JSONata"): a string field
// written `{% expression %}` is evaluated with `$states` (input, result, errorOutput,
// context) and the execution's variables bound; objects and arrays are filled field by
// field. Clock and randomness come from the engine (the decision's `now` and a seeded
// source), so a replay evaluates the same values.
import jsonata from "jsonata";
import { StatesFailure } from "./errors.js";
import type { Json, JsonObject } from "./types.js";

export interface JsonataScope {
  states: JsonObject;
  vars: JsonObject;
  now: number;
  random: () => number;
}

const expression = /^\{%([\s\S]*)%\}$/;

export const isExpression = (v: unknown): v is string => typeof v === "string" && expression.test(v.trim());

async function evaluateExpression(text: string, scope: JsonataScope, field: string): Promise<Json> {
  const body = (expression.exec(text.trim()) as RegExpExecArray)[1] as string;
  let compiled: ReturnType<typeof jsonata>;
  try {
    compiled = jsonata(body);
  } catch (e) {
    throw new StatesFailure(
      "States.QueryEvaluationError",
      `The JSONata expression in '${field}' is invalid: ${(e as Error).message}`,
    );
  }
  compiled.registerFunction("now", () => new Date(scope.now).toISOString(), "<:s>");
  compiled.registerFunction("millis", () => scope.now, "<:n>");
  compiled.registerFunction("random", () => scope.random(), "<:n>");
  compiled.registerFunction("uuid", () => uuid(scope.random), "<:s>");
  compiled.registerFunction("parse", (s: string) => JSON.parse(s), "<s:x>");
  compiled.registerFunction("partition", (a: Json[], n: number) => chunks(a, n), "<an:a>");
  compiled.registerFunction("range", (a: number, b: number, s: number) => range(a, b, s), "<nnn:a>");
  let value: unknown;
  try {
    value = await compiled.evaluate(null, { ...scope.vars, states: scope.states });
  } catch (e) {
    throw new StatesFailure(
      "States.QueryEvaluationError",
      `The JSONata expression in '${field}' failed: ${(e as Error).message}`,
    );
  }
  // JSONata's sequences are arrays with extra fields; JSON round-tripping makes them plain.
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

/** A field's value: expressions evaluated, everything else as written. */
export async function evaluateField(value: unknown, scope: JsonataScope, field: string): Promise<Json> {
  if (isExpression(value)) return evaluateExpression(value, scope, field);
  if (Array.isArray(value)) return Promise.all(value.map((v) => evaluateField(v, scope, field)));
  if (value !== null && typeof value === "object") {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluateField(v, scope, field);
    return out;
  }
  return value as Json;
}

/** Assign: each variable's new value, evaluated against the variables as they were before. */
export async function evaluateAssign(assign: unknown, scope: JsonataScope): Promise<JsonObject> {
  if (assign === undefined) return {};
  const out = await evaluateField(assign, scope, "Assign");
  return out as JsonObject;
}

function chunks(a: Json[], n: number): Json[][] {
  const out: Json[][] = [];
  for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n));
  return out;
}

function range(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) out.push(v);
  return out;
}

function uuid(random: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  h[12] = "4";
  h[16] = ((Number.parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = h.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
