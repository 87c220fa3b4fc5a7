// IAM as the control plane runs it: the stores, the operations served on the endpoint
// (roles, users, policies), what judges requests signed as a role or a user, and what
// checks a function's Role.
import type { Pool } from "pg";
import { forgetKey } from "../api/auth.js";
import { createPgIamStore } from "../store/iam-store.js";
import { createPgIamUserStore } from "../store/iam-user-store.js";
import { createAccess } from "./access.js";
import { createRoleCheck } from "./execution-role.js";
import { createIamService } from "./iam-service.js";
import { createIamUserOps } from "./iam-users.js";

export function startIam(pool: Pool, config: { dbStatementTimeoutMs: number }) {
  const store = createPgIamStore(pool, config.dbStatementTimeoutMs);
  const users = createPgIamUserStore(pool, config.dbStatementTimeoutMs);
  const access = createAccess({
    role: (accountId, name) => store.rolePolicies.documentsOf(accountId, name),
    user: (accountId, name) => users.userPolicies.documentsOf(accountId, name),
  });
  const ops = {
    ...createIamService(store, access),
    ...createIamUserOps(users, access, forgetKey, (accountId, name) => store.getPolicy(accountId, name)),
  };
  return { ops, access, roleCheck: createRoleCheck(store) };
}
