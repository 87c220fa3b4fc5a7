// IAM as the control plane runs it: the store, the operations served on the endpoint,
// what judges requests signed with temporary credentials, and what checks a function's Role.
import type { Pool } from "pg";
import { createPgIamStore } from "../store/iam-store.js";
import { createAccess } from "./access.js";
import { createRoleCheck } from "./execution-role.js";
import { createIamService } from "./iam-service.js";

export function startIam(pool: Pool, config: { dbStatementTimeoutMs: number }) {
  const store = createPgIamStore(pool, config.dbStatementTimeoutMs);
  return { ops: createIamService(store), access: createAccess(store), roleCheck: createRoleCheck(store) };
}
