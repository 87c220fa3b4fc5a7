// Renders policies in Lambda's wire shape: a statement as AddPermission answers it
// and the document GetPolicy answers, both compact JSON text with the keys in the
// order Lambda sends them (Sid, Effect, Principal, Action, Resource, Condition).
import type { FunctionPolicy, PolicyStatement } from "../policy.js";

/** The ARN a policy's statements name: the function's, with the qualifier when there is one. */
export function policyResource(
  region: string,
  policy: Pick<FunctionPolicy, "accountId" | "functionName" | "qualifier">,
): string {
  const q = policy.qualifier ? `:${policy.qualifier}` : "";
  return `arn:aws:lambda:${region}:${policy.accountId}:function:${policy.functionName}${q}`;
}

function principal(p: PolicyStatement["principal"]): unknown {
  if (p === "*") return "*";
  if ("account" in p) return { AWS: `arn:aws:iam::${p.account}:root` };
  return { Service: p.service };
}

function condition(s: PolicyStatement): Record<string, Record<string, string>> | undefined {
  const equals: Record<string, string> = {};
  if (s.sourceAccount !== undefined) equals["AWS:SourceAccount"] = s.sourceAccount;
  if (s.functionUrlAuthType !== undefined) equals["lambda:FunctionUrlAuthType"] = s.functionUrlAuthType;
  if (s.principalOrgId !== undefined) equals["aws:PrincipalOrgID"] = s.principalOrgId;
  if (s.eventSourceToken !== undefined) equals["lambda:EventSourceToken"] = s.eventSourceToken;
  const out: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length > 0) out.StringEquals = equals;
  if (s.sourceArn !== undefined) out.ArnLike = { "AWS:SourceArn": s.sourceArn };
  return Object.keys(out).length > 0 ? out : undefined;
}

export function statementDocument(s: PolicyStatement, resource: string): Record<string, unknown> {
  const cond = condition(s);
  return {
    Sid: s.sid,
    Effect: "Allow",
    Principal: principal(s.principal),
    Action: s.action,
    Resource: resource,
    ...(cond ? { Condition: cond } : {}),
  };
}

/** AddPermission's `Statement`. */
export function renderStatement(s: PolicyStatement, resource: string): string {
  return JSON.stringify(statementDocument(s, resource));
}

/** GetPolicy's `Policy`. */
export function renderPolicy(policy: Omit<FunctionPolicy, "revisionId">, region: string): string {
  const resource = policyResource(region, policy);
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "default",
    Statement: policy.statements.map((s) => statementDocument(s, resource)),
  });
}
