// Whether an event matches a checked pattern (pattern-check.ts), by EventBridge's
// rules: every field of the pattern must match (and one branch of a $or); a leaf
// matches when any of its conditions matches the value, and an array in the event
// matches when any of its elements does. Fields the pattern does not name are ignored.
import { isIP } from "node:net";
import type { Condition, Pattern } from "./pattern-check.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const lower = (s: string) => s.toLocaleLowerCase("en-US");

function numericHolds(op: string, v: number, n: number): boolean {
  if (op === "<") return v < n;
  if (op === "<=") return v <= n;
  if (op === "=") return v === n;
  if (op === ">") return v > n;
  return v >= n;
}

function holds(c: Condition, v: unknown): boolean {
  switch (c.kind) {
    case "exact":
      return v === c.value;
    case "prefix":
    case "suffix": {
      if (typeof v !== "string") return false;
      const [text, affix] = c.ignoreCase ? [lower(v), lower(c.value)] : [v, c.value];
      return c.kind === "prefix" ? text.startsWith(affix) : text.endsWith(affix);
    }
    case "equals-ignore-case":
      return typeof v === "string" && lower(v) === lower(c.value);
    case "wildcard":
      return typeof v === "string" && c.regex.test(v);
    case "numeric":
      return typeof v === "number" && c.tests.every(([op, n]) => numericHolds(op, v, n));
    case "cidr":
      return typeof v === "string" && isIP(v) === c.family && c.subnet.check(v, c.family === 6 ? "ipv6" : "ipv4");
    case "anything-but":
      // Its string forms (prefix, suffix, wildcard, equals-ignore-case) say nothing of other types.
      if (c.not[0]?.kind !== "exact" && typeof v !== "string") return false;
      return !isObject(v) && !c.not.some((n) => holds(n, v));
    case "exists":
      return false; // decided on the field, in leafMatches
  }
}

function leafMatches(conditions: Condition[], value: unknown, present: boolean): boolean {
  // An empty array is no value at all, as EventBridge sees it.
  const has = present && !(Array.isArray(value) && value.length === 0);
  const values = Array.isArray(value) ? value : [value];
  return conditions.some((c) => {
    if (c.kind === "exists") return c.value ? has && values.some((v) => !isObject(v)) : !has;
    return has && values.some((v) => !isObject(v) && holds(c, v));
  });
}

/** Whether `event` (any JSON object) matches `pattern`. */
export function matches(pattern: Pattern, event: Record<string, unknown>): boolean {
  for (const { key, match } of pattern.fields) {
    const present = Object.hasOwn(event, key);
    const value = event[key];
    if (Array.isArray(match)) {
      if (!leafMatches(match, value, present)) return false;
    } else {
      const candidates = (Array.isArray(value) ? value : [value]).filter(isObject);
      // A nested pattern of only `exists: false` leaves matches when the parent is missing.
      if (candidates.length === 0) candidates.push({});
      if (!candidates.some((c) => matches(match, c))) return false;
    }
  }
  return !pattern.or || pattern.or.some((p) => matches(p, event));
}
