// A queue's access policy (the Policy attribute), checked as a resource policy:
// Statement(s) with Effect, Principal, Action (`sqs:` actions) and optionally
// Resource and Condition. Stratus' queues are reachable only by their own account,
// with its full rights or its IAM principals' identity policies, so a policy's grants
// add nothing and it is kept for what reads it back (Terraform's aws_sqs_queue_policy).
// A Deny would be a promise Stratus does not keep: it is refused by name.
import { sqsErrors } from "./sqs-errors.js";

/** SQS's limit on the Policy attribute. */
export const MAX_POLICY_BYTES = 20_480;

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const ACTION = /^(\*|sqs:[A-Za-z*?]+)$/i;

const invalid = (reason: string) =>
  sqsErrors.invalidAttributeValue(`Invalid value for the parameter Policy. Reason: ${reason}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function strings(v: unknown, what: string, valid?: RegExp): void {
  const list = typeof v === "string" ? [v] : v;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((s) => typeof s !== "string" || (valid && !valid.test(s)))
  ) {
    throw invalid(`${what} must be one or more ${valid ? "SQS actions" : "strings"}`);
  }
}

/** The policy text, checked; "" removes the policy. */
export function checkQueuePolicy(text: string): string {
  if (text === "") return text;
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw invalid(`the policy is over ${MAX_POLICY_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid("the policy is not valid JSON");
  }
  if (!isObject(doc)) throw invalid("the policy must be a JSON object");
  if (doc.Version !== undefined && doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17")
    throw invalid("Version must be 2012-10-17 or 2008-10-17");
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (doc.Statement === undefined || list.length === 0) throw invalid("the policy must have a Statement");
  list.forEach((s: unknown, i) => {
    const n = i + 1;
    if (!isObject(s)) throw invalid(`Statement ${n} must be an object`);
    const unknown = Object.keys(s).find((k) => !STATEMENT_KEYS.has(k));
    if (unknown) throw invalid(`Statement ${n} has an unknown field ${unknown.slice(0, 40)}`);
    if (s.Effect === "Deny") {
      throw sqsErrors.invalidAttributeName(
        "Policy statements with Effect Deny are not supported by Stratus: it does not judge requests by queue policies",
      );
    }
    if (s.Effect !== "Allow") throw invalid(`Statement ${n}: Effect must be Allow`);
    if (s.NotPrincipal !== undefined || s.NotAction !== undefined || s.NotResource !== undefined)
      throw invalid(`Statement ${n}: NotPrincipal, NotAction and NotResource are not supported by Stratus`);
    if (s.Principal !== "*" && !isObject(s.Principal)) throw invalid(`Statement ${n} must have a Principal`);
    strings(s.Action, `Statement ${n} Action`, ACTION);
    if (s.Resource !== undefined) strings(s.Resource, `Statement ${n} Resource`);
    if (s.Condition !== undefined && !isObject(s.Condition))
      throw invalid(`Statement ${n}: Condition must be an object`);
  });
  return text;
}
