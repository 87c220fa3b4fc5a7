// Subscription filter policies: checked when set, matched at publish. A policy is an
// EventBridge-style pattern (events/pattern-check.ts reads it and pattern-match.ts
// matches it, as SNS's and EventBridge's operators are the same but `wildcard`),
// applied to the message's attributes (FilterPolicyScope MessageAttributes, flat) or
// to its JSON body (MessageBody, nested).
import { type Pattern, PatternError, parsePattern } from "../events/pattern-check.js";
import { matches } from "../events/pattern-match.js";
import { snsErrors } from "./sns-errors.js";
import type { MessageAttribute } from "./sns-input.js";

export type FilterScope = "MessageAttributes" | "MessageBody";

/** SNS's limits: the policy's size, and the combinations of values it spells out. */
const MAX_POLICY_BYTES = 256 * 1024;
const MAX_COMBINATIONS = 150;

const bad = (why: string) => snsErrors.invalidParameter(`Filter policy: ${why}`);

/** How many value combinations `p` spells out, as SNS counts them against its limit. */
function combinations(p: Pattern): number {
  let n = 1;
  for (const f of p.fields) n *= Array.isArray(f.match) ? Math.max(1, f.match.length) : combinations(f.match);
  if (p.or) n *= p.or.reduce((sum, branch) => sum + combinations(branch), 0);
  return n;
}

function check(p: Pattern, scope: FilterScope): void {
  for (const f of p.fields) {
    if (!Array.isArray(f.match)) {
      if (scope === "MessageAttributes") throw bad(`${f.key}: nested keys need FilterPolicyScope MessageBody`);
      check(f.match, scope);
    } else if (f.match.some((c) => c.kind === "wildcard")) {
      throw bad(`${f.key}: the wildcard operator is not supported by SNS`);
    }
  }
  for (const branch of p.or ?? []) check(branch, scope);
}

/** The checked policy `text` under `scope`; "{}" matches every message. */
export function parseFilterPolicy(text: string, scope: FilterScope): Pattern {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw bad("must be at most 256 KB");
  if (/^\s*\{\s*\}\s*$/.test(text)) return { fields: [] };
  let p: Pattern;
  try {
    p = parsePattern(text);
  } catch (err) {
    if (err instanceof PatternError) throw bad(err.message.replace(/^Event pattern is not valid\. Reason: /, ""));
    throw err;
  }
  check(p, scope);
  if (combinations(p) > MAX_COMBINATIONS) throw bad(`spells out more than ${MAX_COMBINATIONS} combinations of values`);
  return p;
}

export function checkScope(v: string): FilterScope {
  if (v !== "MessageAttributes" && v !== "MessageBody") {
    throw snsErrors.invalidParameter("FilterPolicyScope: must be MessageAttributes or MessageBody");
  }
  return v;
}

/** What a policy over attributes sees: strings, numbers, and String.Array's elements (Binary: nothing). */
export function attributeView(attributes: Record<string, MessageAttribute>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(attributes)) {
    if (a.StringValue === undefined) continue;
    if (a.DataType.startsWith("Number")) out[name] = Number(a.StringValue);
    else if (a.DataType === "String.Array" || a.DataType.startsWith("String.Array."))
      out[name] = JSON.parse(a.StringValue);
    else out[name] = a.StringValue;
  }
  return out;
}

/** Whether a message passes `policy` under `scope`; a body that is no JSON object passes no body policy. */
export function passes(
  policy: Pattern,
  scope: FilterScope,
  message: { body: string; attributes: Record<string, MessageAttribute> },
): boolean {
  if (policy.fields.length === 0 && !policy.or) return true;
  if (scope === "MessageAttributes") return matches(policy, attributeView(message.attributes));
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return false;
  }
  return (
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    matches(policy, body as Record<string, unknown>)
  );
}
