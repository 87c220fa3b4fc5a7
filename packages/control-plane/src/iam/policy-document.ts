// IAM identity policy documents: parsed and checked once (a document that does not
// follow IAM's grammar is MalformedPolicyDocument, and nothing is stored), then kept
// as plain statements that policy-eval.ts judges requests by. Supported: Version,
// Id, Statement (one or a list) with Sid, Effect, Action | NotAction, Resource |
// NotResource, Condition (policy-conditions.ts); Principal is refused by name (an
// identity policy has none).
import { malformed } from "./iam-errors.js";
import { type Condition, parseConditions } from "./policy-conditions.js";

export interface Statement {
  sid?: string;
  effect: "Allow" | "Deny";
  /** Exactly one of actions and notActions is set; patterns as written (`lambda:Invoke*`). */
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  /** All must hold for the statement to apply. */
  conditions?: Condition[];
}

export interface PolicyDocument {
  statements: Statement[];
}

export { malformed };

const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;
const RESOURCE = /^(\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:.+)$/;

function strings(v: unknown, field: string, valid: RegExp): string[] {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0)
    throw malformed(`${field} must be a string or a non-empty list of strings`);
  for (const s of list) {
    if (typeof s !== "string" || !valid.test(s)) {
      throw malformed(`${field} ${typeof s === "string" ? `"${s.slice(0, 100)}" ` : ""}is not valid`);
    }
  }
  return list as string[];
}

function statementOf(s: unknown, i: number): Statement {
  if (typeof s !== "object" || s === null || Array.isArray(s)) throw malformed(`Statement ${i + 1} must be an object`);
  const o = s as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key === "Principal" || key === "NotPrincipal") {
      throw malformed(`${key} is not supported in an identity policy served by Stratus`);
    }
    if (!STATEMENT_KEYS.has(key)) throw malformed(`Statement ${i + 1} has an unknown field ${key.slice(0, 40)}`);
  }
  if (o.Effect !== "Allow" && o.Effect !== "Deny") throw malformed(`Statement ${i + 1}: Effect must be Allow or Deny`);
  if ((o.Action === undefined) === (o.NotAction === undefined))
    throw malformed(`Statement ${i + 1} must have exactly one of Action and NotAction`);
  if ((o.Resource === undefined) === (o.NotResource === undefined))
    throw malformed(`Statement ${i + 1} must have exactly one of Resource and NotResource`);
  if (o.Sid !== undefined && (typeof o.Sid !== "string" || !/^[a-zA-Z0-9]*$/.test(o.Sid)))
    throw malformed(`Statement ${i + 1}: Sid must be alphanumeric`);
  return {
    ...(o.Sid !== undefined ? { sid: o.Sid as string } : {}),
    effect: o.Effect,
    ...(o.Action !== undefined ? { actions: strings(o.Action, "Action", ACTION) } : {}),
    ...(o.NotAction !== undefined ? { notActions: strings(o.NotAction, "NotAction", ACTION) } : {}),
    ...(o.Resource !== undefined ? { resources: strings(o.Resource, "Resource", RESOURCE) } : {}),
    ...(o.NotResource !== undefined ? { notResources: strings(o.NotResource, "NotResource", RESOURCE) } : {}),
    ...(o.Condition !== undefined ? { conditions: parseConditions(o.Condition, i + 1) } : {}),
  };
}

/** The document's statements; throws MalformedPolicyDocument for anything outside the grammar. */
export function parsePolicy(text: string): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed("Syntax errors in policy.");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw malformed("The policy must be a JSON object");
  const o = doc as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== "Version" && key !== "Statement" && key !== "Id") throw malformed(`Unknown field ${key.slice(0, 40)}`);
  }
  if (o.Version !== undefined && !VERSIONS.has(o.Version as string))
    throw malformed("The policy must contain a valid version string");
  if (o.Statement === undefined) throw malformed("The policy must have a Statement");
  const list = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
  if (list.length === 0) throw malformed("The policy must have at least one statement");
  return { statements: list.map(statementOf) };
}

/** A trust policy Lambda can assume: some statement allows lambda.amazonaws.com sts:AssumeRole. */
export function trustsLambda(text: string): boolean {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const has = (v: unknown, want: string) =>
    v === want || v === "*" || (Array.isArray(v) && (v.includes(want) || v.includes("*")));
  return list.some((s: unknown) => {
    if (typeof s !== "object" || s === null) return false;
    const st = s as { Effect?: unknown; Action?: unknown; Principal?: { Service?: unknown } };
    return (
      st.Effect === "Allow" && has(st.Action, "sts:AssumeRole") && has(st.Principal?.Service, "lambda.amazonaws.com")
    );
  });
}

/** Checks a trust (assume-role) policy's shape: Statement with Effect, Principal and Action. */
export function checkTrustPolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed("Syntax errors in policy.");
  }
  const o = doc as { Statement?: unknown };
  if (typeof doc !== "object" || doc === null || o.Statement === undefined)
    throw malformed("The policy must have a Statement");
  const list = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
  for (const s of list) {
    const st = s as Record<string, unknown>;
    if (typeof s !== "object" || s === null) throw malformed("Each statement must be an object");
    if (st.Effect !== "Allow" && st.Effect !== "Deny") throw malformed("Effect must be Allow or Deny");
    if (typeof st.Principal !== "object" && st.Principal !== "*")
      throw malformed("Has prohibited field Resource or is missing Principal");
    if (st.Action === undefined) throw malformed("Missing required field Action");
  }
}
