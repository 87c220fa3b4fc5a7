// EventBridge event patterns, read and checked as EventBridge checks them before a
// rule is stored or a pattern tested: a JSON object whose leaves are arrays of values
// or of one-operator objects (prefix, suffix, anything-but, numeric, exists, wildcard,
// equals-ignore-case, cidr), with $or. No npm matcher was well kept enough to adopt,
// so this one is small and tested against AWS's documented examples.
import { BlockList, isIP } from "node:net";

/** A pattern EventBridge would refuse (InvalidEventPatternException). */
export class PatternError extends Error {}

/** A checked pattern: every field must match, and one of `or` when given. */
export interface Pattern {
  fields: Array<{ key: string; match: Pattern | Condition[] }>;
  or?: Pattern[];
}

export type Condition =
  | { kind: "exact"; value: string | number | boolean | null }
  | { kind: "prefix" | "suffix"; value: string; ignoreCase: boolean }
  | { kind: "anything-but"; not: Condition[] }
  | { kind: "numeric"; tests: Array<[string, number]> }
  | { kind: "exists"; value: boolean }
  | { kind: "equals-ignore-case"; value: string }
  | { kind: "wildcard"; regex: RegExp }
  | { kind: "cidr"; subnet: BlockList; family: 4 | 6 };

const NUMERIC_OPS = new Set(["<", "<=", "=", ">", ">="]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const fail = (why: string): never => {
  throw new PatternError(`Event pattern is not valid. Reason: ${why}`);
};

function str(op: string, v: unknown): string {
  return typeof v === "string" ? v : fail(`"${op}" must be given a string`);
}

function wildcard(text: string): RegExp {
  if (/(?<!\\)\*\*/.test(text)) fail(`Consecutive wildcard characters at "${text}" are not allowed`);
  const parts = text.split(/(?<!\\)\*/).map((p) => p.replace(/\\\*/g, "*").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`, "s");
}

function cidr(text: string): Condition {
  const [addr, bitsText, ...rest] = text.split("/");
  const family = isIP(addr ?? "");
  const bits = Number(bitsText);
  const max = family === 6 ? 128 : 32;
  if (rest.length || !family || !/^\d{1,3}$/.test(bitsText ?? "") || bits > max) fail(`"${text}" is not a CIDR`);
  const subnet = new BlockList();
  subnet.addSubnet(addr as string, bits, family === 6 ? "ipv6" : "ipv4");
  return { kind: "cidr", subnet, family: family as 4 | 6 };
}

/** prefix/suffix take a string or {"equals-ignore-case": string}. */
function affix(op: "prefix" | "suffix", v: unknown): Condition {
  if (isObject(v) && Object.keys(v).length === 1 && "equals-ignore-case" in v) {
    return { kind: op, value: str(op, v["equals-ignore-case"]), ignoreCase: true };
  }
  return { kind: op, value: str(op, v), ignoreCase: false };
}

function numeric(v: unknown): Condition {
  if (!Array.isArray(v) || v.length === 0 || v.length % 2 !== 0 || v.length > 4) {
    return fail('"numeric" takes an operator and a number, or two such pairs for a range');
  }
  const tests: Array<[string, number]> = [];
  for (let i = 0; i < v.length; i += 2) {
    const [op, n] = [v[i], v[i + 1]];
    if (typeof op !== "string" || !NUMERIC_OPS.has(op)) fail(`Unrecognized numeric range operator: ${String(op)}`);
    if (typeof n !== "number" || !Number.isFinite(n))
      fail(`"numeric" values must be numbers, not ${JSON.stringify(n)}`);
    tests.push([op as string, n as number]);
  }
  if (tests.length === 2 && (tests.some(([op]) => op === "=") || tests[0]?.[0][0] === tests[1]?.[0][0])) {
    fail('A "numeric" range needs one lower bound (> or >=) and one upper bound (< or <=)');
  }
  return { kind: "numeric", tests };
}

function anythingBut(v: unknown): Condition {
  const scalar = (x: unknown): Condition =>
    typeof x === "string" || typeof x === "number"
      ? { kind: "exact", value: x }
      : fail('"anything-but" takes strings or numbers');
  if (Array.isArray(v)) {
    if (v.length === 0) fail('"anything-but" needs at least one value');
    return { kind: "anything-but", not: v.map(scalar) };
  }
  if (isObject(v)) {
    const keys = Object.keys(v);
    const op = keys[0] as string;
    if (keys.length !== 1) fail('"anything-but" takes one operator at a time');
    const list = (x: unknown) => (Array.isArray(x) && x.length > 0 ? x : [x]);
    if (op === "prefix" || op === "suffix") return { kind: "anything-but", not: list(v[op]).map((x) => affix(op, x)) };
    if (op === "equals-ignore-case")
      return {
        kind: "anything-but",
        not: list(v[op]).map((x) => ({ kind: "equals-ignore-case", value: str(op, x) })),
      };
    if (op === "wildcard")
      return { kind: "anything-but", not: list(v[op]).map((x) => ({ kind: "wildcard", regex: wildcard(str(op, x)) })) };
    return fail(`Unsupported anything-but pattern: ${op}`);
  }
  return { kind: "anything-but", not: [scalar(v)] };
}

function condition(v: unknown): Condition {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    return { kind: "exact", value: v };
  }
  if (!isObject(v)) return fail("Match values must be strings, numbers, booleans, null or operator objects");
  const keys = Object.keys(v);
  if (keys.length !== 1) fail("An operator object holds exactly one operator");
  const op = keys[0] as string;
  const arg = v[op];
  switch (op) {
    case "prefix":
    case "suffix":
      return affix(op, arg);
    case "anything-but":
      return anythingBut(arg);
    case "numeric":
      return numeric(arg);
    case "exists":
      return typeof arg === "boolean" ? { kind: "exists", value: arg } : fail('"exists" takes true or false');
    case "equals-ignore-case":
      return { kind: "equals-ignore-case", value: str(op, arg) };
    case "wildcard":
      return { kind: "wildcard", regex: wildcard(str(op, arg)) };
    case "cidr":
      return cidr(str(op, arg));
    default:
      return fail(`Unrecognized match type ${op}`);
  }
}

function pattern(v: unknown, where: string): Pattern {
  if (!isObject(v)) return fail(`${where || "The pattern"} must be a JSON object`);
  const out: Pattern = { fields: [] };
  for (const [key, value] of Object.entries(v)) {
    const at = where ? `${where}.${key}` : key;
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) fail('"$or" takes an array of at least two patterns');
      out.or = (value as unknown[]).map((p) => pattern(p, at));
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail(`Empty arrays are not allowed as match values (at ${at})`);
      out.fields.push({ key, match: value.map(condition) });
    } else if (isObject(value)) {
      out.fields.push({ key, match: pattern(value, at) });
    } else {
      fail(`Match value must be an array or an object (at ${at})`);
    }
  }
  return out;
}

/** The pattern `text` holds; throws PatternError as EventBridge refuses it. */
export function parsePattern(text: string): Pattern {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`Filter is not valid JSON: ${(err as Error).message}`);
  }
  if (isObject(json) && Object.keys(json).length === 0) fail("Empty pattern");
  return pattern(json, "");
}
