// An identity policy statement's Condition block: IAM's operators (String*, Numeric*,
// Date*, Bool, IpAddress, NotIpAddress, Arn*, Null; with IfExists, ForAnyValue: and
// ForAllValues:) over the global context keys Stratus knows of every request (and a
// role's tags, as aws:PrincipalTag/<key>). A key
// it does not supply is refused when the policy is put, so no condition is ever judged
// on a value that is silently absent.
import { BlockList, isIP } from "node:net";
import { malformed } from "./iam-errors.js";
import { globMatch } from "./policy-glob.js";

/** The context keys Stratus supplies, lower-cased (IAM matches key names without regard to case). */
export const CONTEXT_KEYS = [
  "aws:currenttime",
  "aws:epochtime",
  "aws:securetransport",
  "aws:sourceip",
  "aws:requestedregion",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:principaltype",
  "aws:username",
];

type Kind = "string" | "stringIgnoreCase" | "stringLike" | "numeric" | "date" | "bool" | "ip" | "arn" | "null";
type Compare = "eq" | "lt" | "le" | "gt" | "ge";

const OPERATORS: Record<string, { kind: Kind; compare?: Compare; negated?: boolean }> = {
  StringEquals: { kind: "string" },
  StringNotEquals: { kind: "string", negated: true },
  StringEqualsIgnoreCase: { kind: "stringIgnoreCase" },
  StringNotEqualsIgnoreCase: { kind: "stringIgnoreCase", negated: true },
  StringLike: { kind: "stringLike" },
  StringNotLike: { kind: "stringLike", negated: true },
  NumericEquals: { kind: "numeric", compare: "eq" },
  NumericNotEquals: { kind: "numeric", compare: "eq", negated: true },
  NumericLessThan: { kind: "numeric", compare: "lt" },
  NumericLessThanEquals: { kind: "numeric", compare: "le" },
  NumericGreaterThan: { kind: "numeric", compare: "gt" },
  NumericGreaterThanEquals: { kind: "numeric", compare: "ge" },
  DateEquals: { kind: "date", compare: "eq" },
  DateNotEquals: { kind: "date", compare: "eq", negated: true },
  DateLessThan: { kind: "date", compare: "lt" },
  DateLessThanEquals: { kind: "date", compare: "le" },
  DateGreaterThan: { kind: "date", compare: "gt" },
  DateGreaterThanEquals: { kind: "date", compare: "ge" },
  Bool: { kind: "bool" },
  IpAddress: { kind: "ip" },
  NotIpAddress: { kind: "ip", negated: true },
  ArnEquals: { kind: "arn" },
  ArnLike: { kind: "arn" },
  ArnNotEquals: { kind: "arn", negated: true },
  ArnNotLike: { kind: "arn", negated: true },
  Null: { kind: "null" },
};

export interface Condition {
  operator: string;
  kind: Kind;
  compare?: Compare;
  negated: boolean;
  ifExists: boolean;
  set?: "any" | "all";
  /** Lower-cased. */
  key: string;
  values: string[];
}

/** What Stratus knows of a request, by lower-cased context key; absent keys are undefined. */
export type RequestContext = Readonly<Record<string, string | undefined>>;

const time = (v: string) => (/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v));

function checkValue(c: Omit<Condition, "values">, v: string, where: string): void {
  const bad = (why: string) => malformed(`${where}: ${why}`);
  if (v.includes("${")) throw bad("policy variables are not supported by Stratus");
  if (c.kind === "numeric" && !Number.isFinite(Number(v))) throw bad(`${v.slice(0, 40)} is not a number`);
  if (c.kind === "date" && Number.isNaN(time(v))) throw bad(`${v.slice(0, 40)} is not a date`);
  if ((c.kind === "bool" || c.kind === "null") && v !== "true" && v !== "false") throw bad("values are true or false");
  if (c.kind === "ip") {
    const [address, bits] = v.split("/");
    const family = isIP(address ?? "");
    const max = family === 6 ? 128 : 32;
    if (!family || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max)))
      throw bad(`${v.slice(0, 60)} is not an IP address or CIDR block`);
  }
}

/** A statement's Condition block, checked; throws MalformedPolicyDocument for anything Stratus cannot judge. */
export function parseConditions(block: unknown, statement: number): Condition[] {
  const where = `Statement ${statement} Condition`;
  if (typeof block !== "object" || block === null || Array.isArray(block))
    throw malformed(`${where} must be an object`);
  const out: Condition[] = [];
  for (const [raw, keys] of Object.entries(block)) {
    const m = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/.exec(raw);
    const op = m ? OPERATORS[m[2] as string] : undefined;
    if (!m || !op || (m[3] && m[2] === "Null"))
      throw malformed(`${where}: ${raw.slice(0, 60)} is not a condition operator Stratus supports`);
    if (typeof keys !== "object" || keys === null || Array.isArray(keys))
      throw malformed(`${where}: ${raw} must map condition keys to values`);
    for (const [key, value] of Object.entries(keys)) {
      const lower = key.toLowerCase();
      if (!CONTEXT_KEYS.includes(lower) && !/^aws:principaltag\/[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(lower)) {
        throw malformed(
          `${where}: the condition key ${key.slice(0, 80)} is not supported by Stratus (it supplies ${CONTEXT_KEYS.join(", ")}, aws:PrincipalTag/<key>)`,
        );
      }
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || list.some((v) => !["string", "number", "boolean"].includes(typeof v)))
        throw malformed(`${where}: ${raw} ${key} must be a value or a non-empty list of values`);
      const c = {
        operator: raw,
        kind: op.kind,
        ...(op.compare ? { compare: op.compare } : {}),
        negated: op.negated ?? false,
        ifExists: m[3] !== undefined,
        ...(m[1] ? { set: m[1] === "ForAnyValue" ? ("any" as const) : ("all" as const) } : {}),
        key: lower,
      };
      const values = list.map(String);
      for (const v of values) checkValue(c, v, `${where} ${raw} ${key}`);
      out.push({ ...c, values });
    }
  }
  return out;
}

function compared(compare: Compare, a: number, b: number): boolean {
  if (compare === "eq") return a === b;
  if (compare === "lt") return a < b;
  if (compare === "le") return a <= b;
  if (compare === "gt") return a > b;
  return a >= b;
}

/** Whether the request's `actual` matches policy value `want` by `c`'s operator (its negation aside). */
function matches(c: Condition, actual: string, want: string): boolean {
  switch (c.kind) {
    case "string":
      return actual === want;
    case "stringIgnoreCase":
      return actual.toLowerCase() === want.toLowerCase();
    case "stringLike":
    case "arn":
      return globMatch(want, actual);
    case "numeric":
      return compared(c.compare as Compare, Number(actual), Number(want));
    case "date":
      return compared(c.compare as Compare, time(actual), time(want));
    case "bool":
      return actual === want;
    case "ip": {
      const family = isIP(actual);
      const [address, bits] = want.split("/");
      if (!family || isIP(address ?? "") !== family) return false;
      const list = new BlockList();
      const type = family === 6 ? "ipv6" : "ipv4";
      list.addSubnet(address as string, bits === undefined ? (family === 6 ? 128 : 32) : Number(bits), type);
      return list.check(actual, type);
    }
    default:
      return false;
  }
}

/** Whether one condition holds for the request. */
function holds(c: Condition, ctx: RequestContext): boolean {
  const actual = ctx[c.key];
  if (c.kind === "null") return (actual === undefined) === (c.values[0] === "true");
  if (actual === undefined) {
    if (c.ifExists || c.negated) return true;
    return c.set === "all";
  }
  const any = c.values.some((want) => matches(c, actual, want));
  return c.negated ? !any : any;
}

/** Whether every condition of a statement holds (all operators, all keys; any of a key's values). */
export const conditionsHold = (conditions: readonly Condition[], ctx: RequestContext) =>
  conditions.every((c) => holds(c, ctx));
