// Whose function an Invoke runs. A caller's own account needs no look-up; another
// account's function, named by its ARN, runs only when the policy of what the ARN
// names (the function, a version or an alias) grants the caller's account
// lambda:InvokeFunction. Otherwise it is "not found", as any other account's is.
import { errors } from "@stratus/shared";
import type { NamedFunction } from "../services/function-ref.js";
import type { PolicyService } from "../services/policy-service.js";

export async function grantedOwner(
  policies: Pick<PolicyService, "allows">,
  caller: string,
  ref: NamedFunction & { account: string },
  raw: string,
): Promise<string> {
  const req = { action: "lambda:InvokeFunction", principalAccount: caller };
  if (!(await policies.allows(ref.account, ref.name, ref.qualifier, req))) {
    throw errors.notFound(`Function not found: ${raw}`);
  }
  return ref.account;
}
