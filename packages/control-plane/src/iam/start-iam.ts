// IAM as the control plane runs it: the stores, the operations served on the endpoint
// (roles, users, policies), what judges requests signed as a role or a user, and what
// checks a function's Role.
import type { Pool } from "pg";
import { forgetKey } from "../api/auth.js";
import type { PrincipalDocuments } from "../store/iam-principal-policies.js";
import { createPgIamStore } from "../store/iam-store.js";
import { createPgIamTags } from "../store/iam-tags-store.js";
import { createPgIamUserStore } from "../store/iam-user-store.js";
import { createAccess } from "./access.js";
import { awsPolicyNamed } from "./aws-managed.js";
import { createRoleCheck } from "./execution-role.js";
import { iamErrors } from "./iam-errors.js";
import type { IamOp } from "./iam-op.js";
import { createIamService } from "./iam-service.js";
import { iamTagOps } from "./iam-tags.js";
import { createIamUserOps } from "./iam-users.js";
import { policyAtArn } from "./principal-policy-ops.js";

/** A principal's documents with those of its AWS managed policies (one Stratus no longer carries grants nothing). */
const withAwsDocuments = (found: PrincipalDocuments | undefined) =>
  found && [...found.documents, ...found.awsPolicies.flatMap((name) => awsPolicyNamed(name)?.document ?? [])];

export function startIam(pool: Pool, config: { dbStatementTimeoutMs: number }) {
  const store = createPgIamStore(pool, config.dbStatementTimeoutMs);
  const users = createPgIamUserStore(pool, config.dbStatementTimeoutMs);
  const tags = createPgIamTags(pool, config.dbStatementTimeoutMs);
  const access = createAccess({
    role: async (accountId, name) => withAwsDocuments(await store.rolePolicies.documentsOf(accountId, name)),
    user: async (accountId, name) => withAwsDocuments(await users.userPolicies.documentsOf(accountId, name)),
    roleTags: (accountId, name) => tags.get("role", accountId, name),
  });
  const tagOps = iamTagOps(tags, {
    role: async (accountId, roleName) => {
      const role = await store.getRole(accountId, roleName);
      if (!role) throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
      return role.name;
    },
    policy: async (accountId, arn) => (await policyAtArn((a, n) => store.getPolicy(a, n), accountId, arn)).name,
  });
  /** A role's tags changed: what conditions read of them (aws:PrincipalTag) is read again. */
  const retagging =
    (op: IamOp): IamOp =>
    async (accountId, b, caller) => {
      const answer = await op(accountId, b, caller);
      access.forget(accountId, "role", String(b.RoleName));
      return answer;
    };
  const ops = {
    ...createIamService(store, access, tags),
    ...tagOps,
    TagRole: retagging(tagOps.TagRole as IamOp),
    UntagRole: retagging(tagOps.UntagRole as IamOp),
    ...createIamUserOps(users, access, forgetKey, (accountId, name) => store.getPolicy(accountId, name)),
  };
  return { ops, access, roleCheck: createRoleCheck(store) };
}
