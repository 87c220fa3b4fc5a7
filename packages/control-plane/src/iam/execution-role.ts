// Which Role a function may name (CreateFunction, UpdateFunctionConfiguration). Once
// an account has any role, a role of its own must be a Stratus role whose trust policy
// lets lambda.amazonaws.com assume it (its invocations then get the role's temporary
// credentials) and another account's is refused. An account with no roles keeps the
// behaviour from before roles existed: any well-formed role ARN is taken
// (docs/PERMISSIONS.md).
import { errors } from "@stratus/shared";
import type { IamStore } from "../store/iam-store.js";
import { roleArn } from "../store/iam-types.js";
import { parseRoleArn } from "./iam-input.js";
import { trustsLambda } from "./policy-document.js";

/** Throws InvalidParameterValueException unless `accountId`'s function may name `arn` as its role. */
export type RoleCheck = (accountId: string, arn: string) => Promise<void>;

export const anyRole: RoleCheck = async () => undefined;

const cannotAssume = () => errors.invalidParameter("The role defined for the function cannot be assumed by Lambda.");

export function createRoleCheck(store: Pick<IamStore, "getRole" | "hasRoles">): RoleCheck {
  return async (accountId, arn) => {
    const named = parseRoleArn(arn);
    if (named?.accountId === accountId) {
      const role = await store.getRole(accountId, named.name);
      if (role && roleArn(role) === arn && trustsLambda(role.trustPolicy)) return;
      if (!role && !(await store.hasRoles(accountId))) return;
      throw cannotAssume();
    }
    if (await store.hasRoles(accountId)) throw cannotAssume();
  };
}

/** The role whose credentials `fn`'s invocations get: its Role when of its own account. */
export function credentialedRole(fn: { accountId: string; role: string }): string | undefined {
  return parseRoleArn(fn.role)?.accountId === fn.accountId ? fn.role : undefined;
}
