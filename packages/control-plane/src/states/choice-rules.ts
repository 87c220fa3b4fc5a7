// Choice rules of the JSONPath language: every comparison operator (String*, Numeric*,
// Boolean*, Timestamp*, each with its *Path twin), the type tests (IsNull, IsPresent,
// IsNumeric, IsString, IsBoolean, IsTimestamp), StringMatches, and And / Or / Not.
// A comparison of values of another type is false, as the specification says.
import { runtimeError } from "./errors.js";
import { type PathScope, selectPath } from "./paths.js";
import type { Json } from "./types.js";

type Rule = Record<string, unknown>;
type Compare = (a: Json, b: Json) => boolean;

const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isTs = (v: Json): v is string => typeof v === "string" && timestamp.test(v);
const str =
  (f: (a: string, b: string) => boolean): Compare =>
  (a, b) =>
    typeof a === "string" && typeof b === "string" && f(a, b);
const num =
  (f: (a: number, b: number) => boolean): Compare =>
  (a, b) =>
    typeof a === "number" && typeof b === "number" && f(a, b);
const ts =
  (f: (a: number, b: number) => boolean): Compare =>
  (a, b) =>
    isTs(a) && isTs(b) && f(Date.parse(a), Date.parse(b));

const comparisons: Record<string, Compare> = {
  StringEquals: str((a, b) => a === b),
  StringLessThan: str((a, b) => a < b),
  StringGreaterThan: str((a, b) => a > b),
  StringLessThanEquals: str((a, b) => a <= b),
  StringGreaterThanEquals: str((a, b) => a >= b),
  NumericEquals: num((a, b) => a === b),
  NumericLessThan: num((a, b) => a < b),
  NumericGreaterThan: num((a, b) => a > b),
  NumericLessThanEquals: num((a, b) => a <= b),
  NumericGreaterThanEquals: num((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === "boolean" && a === b,
  TimestampEquals: ts((a, b) => a === b),
  TimestampLessThan: ts((a, b) => a < b),
  TimestampGreaterThan: ts((a, b) => a > b),
  TimestampLessThanEquals: ts((a, b) => a <= b),
  TimestampGreaterThanEquals: ts((a, b) => a >= b),
  StringMatches: (a, b) => typeof a === "string" && typeof b === "string" && matches(a, b),
};

const typeTests: Record<string, (v: Json | undefined) => boolean> = {
  IsNull: (v) => v === null,
  IsPresent: (v) => v !== undefined,
  IsNumeric: (v) => typeof v === "number",
  IsString: (v) => typeof v === "string",
  IsBoolean: (v) => typeof v === "boolean",
  IsTimestamp: (v) => v !== undefined && isTs(v),
};

/** `*` matches any run of characters; `\*` and `\\` are literal. */
function matches(value: string, pattern: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\" && i + 1 < pattern.length) re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") re += "[\\s\\S]*";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(value);
}

export const operatorNames = [...Object.keys(comparisons), ...Object.keys(typeTests)];

/** Whether `rule` holds for `input`. */
export function evaluateRule(rule: Rule, input: Json, scope: PathScope): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Rule[]).every((r) => evaluateRule(r, input, scope));
  if (Array.isArray(rule.Or)) return (rule.Or as Rule[]).some((r) => evaluateRule(r, input, scope));
  if (rule.Not && typeof rule.Not === "object") return !evaluateRule(rule.Not as Rule, input, scope);
  const variable = rule.Variable;
  if (typeof variable !== "string") throw runtimeError("A choice rule has no Variable");
  for (const [name, test] of Object.entries(typeTests)) {
    if (name in rule) {
      let value: Json | undefined;
      try {
        value = selectPath(input, variable, "Variable", scope);
      } catch {
        value = undefined;
      }
      return test(value) === rule[name];
    }
  }
  const value = selectPath(input, variable, "Variable", scope);
  for (const [name, compare] of Object.entries(comparisons)) {
    if (name in rule) return compare(value, rule[name] as Json);
    if (`${name}Path` in rule) {
      return compare(value, selectPath(input, String(rule[`${name}Path`]), `${name}Path`, scope));
    }
  }
  throw runtimeError(`A choice rule on ${variable} has no comparison operator`);
}
