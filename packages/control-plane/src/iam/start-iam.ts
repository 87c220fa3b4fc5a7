// IAM as the control plane runs it: the stores, the operations served on the endpoint
// (roles, users, policies), what judges requests signed as a role or a user, and what
// checks a function's Role.
import type { Pool } from "pg";
import { forgetKey } from "../api/auth.js";
import { createPgIamStore } from "../store/iam-store.js";
import { createPgIamTags } from "../store/iam-tags-store.js";
import { policyArn } from "../store/iam-types.js";
import { createPgIamUserStore } from "../store/iam-user-store.js";
import { createAccess } from "./access.js";
import { createRoleCheck } from "./execution-role.js";
import { iamErrors } from "./iam-errors.js";
import { createIamService } from "./iam-service.js";
import { iamTagOps } from "./iam-tags.js";
import { createIamUserOps } from "./iam-users.js";
import { policyNamed } from "./principal-policy-ops.js";

export function startIam(pool: Pool, config: { dbStatementTimeoutMs: number }) {
  const store = createPgIamStore(pool, config.dbStatementTimeoutMs);
  const users = createPgIamUserStore(pool, config.dbStatementTimeoutMs);
  const access = createAccess({
    role: (accountId, name) => store.rolePolicies.documentsOf(accountId, name),
    user: (accountId, name) => users.userPolicies.documentsOf(accountId, name),
  });
  const tags = createPgIamTags(pool, config.dbStatementTimeoutMs);
  const ops = {
    ...createIamService(store, access, tags),
    ...iamTagOps(tags, {
      role: async (accountId, roleName) => {
        const role = await store.getRole(accountId, roleName);
        if (!role) throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
        return role.name;
      },
      policy: async (accountId, arn) => {
        const policy = await store.getPolicy(accountId, policyNamed(accountId, arn));
        if (!policy || policyArn(policy) !== arn) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
        return policy.name;
      },
    }),
    ...createIamUserOps(users, access, forgetKey, (accountId, name) => store.getPolicy(accountId, name)),
  };
  return { ops, access, roleCheck: createRoleCheck(store) };
}
