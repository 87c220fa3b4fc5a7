// What S3 and SNS ask before they invoke a function for one of the owner's resources:
// that the function exists and that its resource policy lets the AWS service invoke it
// on that resource's behalf (lambda add-permission --principal <service> --source-arn).
import { StratusError } from "@stratus/shared";
import type { FunctionService } from "./function-service.js";
import type { PolicyService } from "./policy-service.js";

export interface InvokeCheckDeps {
  functions: Pick<FunctionService, "get">;
  policies: Pick<PolicyService, "allows">;
}

type FunctionRef = { functionName: string; qualifier?: string };

/** Whether `owner`'s function lets `service` invoke it for `sourceArn` (a resource of `owner`'s). */
export function serviceMayInvoke(
  policies: Pick<PolicyService, "allows">,
  owner: string,
  fn: FunctionRef,
  service: string,
  sourceArn: string,
): Promise<boolean> {
  return policies.allows(owner, fn.functionName, fn.qualifier, {
    action: "lambda:InvokeFunction",
    service,
    sourceArn,
    sourceAccount: owner,
  });
}

/** Why `service` cannot invoke `owner`'s function for `sourceArn`: it is gone, or not permitted; undefined when it can. */
export async function serviceInvokeFault(
  deps: InvokeCheckDeps,
  owner: string,
  fn: FunctionRef,
  service: string,
  sourceArn: string,
): Promise<"missing" | "denied" | undefined> {
  try {
    await deps.functions.get(owner, fn.functionName, fn.qualifier);
  } catch (err) {
    if (err instanceof StratusError && err.status === 404) return "missing";
    throw err;
  }
  return (await serviceMayInvoke(deps.policies, owner, fn, service, sourceArn)) ? undefined : "denied";
}
