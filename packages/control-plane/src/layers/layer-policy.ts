// A layer version's resource policy as plain data: statements added and removed by
// id, the question "may this account use it", and the IAM-shaped JSON Lambda answers
// with. Only lambda:GetLayerVersion can be granted (which is what using a layer needs).
import { errors } from "@stratus/shared";
import type { LayerStatement } from "../domain.js";

export const GET_LAYER_VERSION = "lambda:GetLayerVersion";

/** `policy` with `statement` added; a statement id already there is a conflict. */
export function addStatement(policy: readonly LayerStatement[], statement: LayerStatement): LayerStatement[] {
  if (policy.some((s) => s.sid === statement.sid)) {
    throw errors.conflict(
      `The statement id (${statement.sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  return [...policy, statement];
}

/** `policy` without statement `sid`; an unknown id is not found. */
export function removeStatement(policy: readonly LayerStatement[], sid: string): LayerStatement[] {
  if (!policy.some((s) => s.sid === sid)) {
    throw errors.notFound(`Statement ${sid} is not found in resource policy.`);
  }
  return policy.filter((s) => s.sid !== sid);
}

/** Whether account `caller` may use the layer version: its owner always, others when a statement names them or "*". */
export function allowsUse(owner: string, policy: readonly LayerStatement[], caller: string): boolean {
  return (
    caller === owner ||
    policy.some((s) => s.action === GET_LAYER_VERSION && (s.principal === "*" || s.principal === caller))
  );
}

/** One statement as IAM writes it, for the layer version `resource` (its ARN). */
export function statementJson(s: LayerStatement, resource: string) {
  return {
    Sid: s.sid,
    Effect: "Allow",
    Principal: s.principal === "*" ? "*" : { AWS: `arn:aws:iam::${s.principal}:root` },
    Action: s.action,
    Resource: resource,
  };
}

export function policyDocument(policy: readonly LayerStatement[], resource: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "default",
    Statement: policy.map((s) => statementJson(s, resource)),
  });
}
