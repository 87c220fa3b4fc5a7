// Whether a function's resource-based policy allows a request: a pure decision over
// the policy's statements and what is known of the caller, independent of HTTP, so
// cross-account invokes and function URLs (lambda:InvokeFunctionUrl with the URL's
// auth type) ask it the same way. Statements only allow; none matching means no.
import type { FunctionUrlAuthType, PolicyStatement } from "../policy.js";

/** What is known of a request. A condition whose key the request lacks is not met, as in IAM. */
export interface AccessRequest {
  /** The action asked for, e.g. `lambda:InvokeFunction` (compared without regard to case). */
  action: string;
  /** The calling account: a signed request's key's account. Absent for an anonymous caller. */
  principalAccount?: string;
  /** The calling AWS service principal, e.g. `events.amazonaws.com`. */
  service?: string;
  /** AWS:SourceArn: the resource on whose behalf a service calls. */
  sourceArn?: string;
  /** AWS:SourceAccount: the account owning that resource. */
  sourceAccount?: string;
  /** lambda:FunctionUrlAuthType: the auth type of the function URL the call came through. */
  functionUrlAuthType?: FunctionUrlAuthType;
  /** lambda:EventSourceToken. */
  eventSourceToken?: string;
}

/** True when some statement of `policy` (none when undefined) allows `req`. */
export function allows(policy: { statements: readonly PolicyStatement[] } | undefined, req: AccessRequest): boolean {
  return policy?.statements.some((s) => matches(s, req)) ?? false;
}

function matches(s: PolicyStatement, req: AccessRequest): boolean {
  return (
    actionMatches(s.action, req.action) &&
    principalMatches(s.principal, req) &&
    (s.sourceArn === undefined || (req.sourceArn !== undefined && arnLike(s.sourceArn, req.sourceArn))) &&
    (s.sourceAccount === undefined || s.sourceAccount === req.sourceAccount) &&
    (s.functionUrlAuthType === undefined || s.functionUrlAuthType === req.functionUrlAuthType) &&
    (s.eventSourceToken === undefined || s.eventSourceToken === req.eventSourceToken) &&
    // Stratus has no organisations: no caller is ever in one.
    s.principalOrgId === undefined
  );
}

function actionMatches(granted: string, asked: string): boolean {
  const g = granted.toLowerCase();
  const a = asked.toLowerCase();
  return g === a || g === "*" || (g === "lambda:*" && a.startsWith("lambda:"));
}

function principalMatches(p: PolicyStatement["principal"], req: AccessRequest): boolean {
  if (p === "*") return true;
  if ("account" in p) return req.principalAccount === p.account;
  return req.service === p.service;
}

/** IAM's ArnLike: each of the six colon-separated parts matched on its own, `*` and `?` as wildcards. */
export function arnLike(pattern: string, arn: string): boolean {
  const want = arnParts(pattern);
  const have = arnParts(arn);
  return want.length === 6 && have.length === 6 && want.every((w, i) => glob(w).test(have[i] as string));
}

function arnParts(arn: string): string[] {
  const parts = arn.split(":");
  return parts.length < 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(":")];
}

function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}
