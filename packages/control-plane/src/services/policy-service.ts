// Resource-based policies: AddPermission, GetPolicy and RemovePermission on a
// function, version or alias, and the question enforcement asks (does the policy of
// what a caller names allow this request). The decisions are policy-input.ts's and
// policy-check.ts's; this wires them to the store and words Lambda's errors.
import { errors, LATEST, StratusError } from "@stratus/shared";
import type { FunctionPolicy, PolicyStatement } from "../policy.js";
import { createPolicyCache, type PolicyCache } from "../store/policy-cache.js";
import type { PolicyEdit, PolicyStore } from "../store/policy-store.js";
import { type AccessRequest, allows } from "./policy-check.js";
import { permissionInput, statementIdToRemove } from "./policy-input.js";
import { policyResource, renderPolicy, renderStatement } from "./policy-render.js";

/** Lambda's limit on a function policy's size. */
export const MAX_POLICY_BYTES = 20_480;

export interface PolicyService {
  /** AddPermission: the statement added, rendered as Lambda answers it. */
  add(accountId: string, name: string, qualifier: string | undefined, body: unknown): Promise<string>;
  /** GetPolicy: the policy document as JSON text, and its revision. */
  get(accountId: string, name: string, qualifier: string | undefined): Promise<{ policy: string; revisionId: string }>;
  remove(
    accountId: string,
    name: string,
    qualifier: string | undefined,
    statementId: string,
    revisionId?: string,
  ): Promise<void>;
  /** Whether the policy of `owner`'s function `name` at `qualifier` (none: unqualified) allows `req`. */
  allows(owner: string, name: string, qualifier: string | undefined, req: AccessRequest): Promise<boolean>;
}

/** The policy an invoke of `qualifier` is judged by: $LATEST shares the unqualified function's. */
export const policyQualifier = (qualifier: string | undefined) =>
  qualifier === undefined || qualifier === LATEST ? "" : qualifier;

const stale = () =>
  errors.preconditionFailed(
    "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
  );

function checkRevision(current: FunctionPolicy | undefined, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== current?.revisionId) throw stale();
}

/** `cache`: what enforcement (`allows`) reads; GetPolicy and the edits read the store itself. */
export function createPolicyService(
  store: PolicyStore,
  region: string,
  cache: PolicyCache = createPolicyCache((a, n, q) => store.get(a, n, q)),
): PolicyService {
  /** Edits through the store, forgetting the cached policy before and after (a failed commit may have committed). */
  const edit = async (accountId: string, name: string, q: string, change: Parameters<PolicyStore["edit"]>[3]) => {
    cache.forget(accountId, name, q);
    try {
      return await store.edit(accountId, name, q, change);
    } finally {
      cache.forget(accountId, name, q);
    }
  };
  const arn = (accountId: string, name: string, qualifier: string) =>
    policyResource(region, { accountId, functionName: name, qualifier });
  const missing = (what: "function" | "target", accountId: string, name: string, qualifier: string) => {
    if (what === "target" && !/^[0-9]+$/.test(qualifier)) {
      return errors.notFound(`Cannot find alias arn: ${arn(accountId, name, qualifier)}`);
    }
    return errors.notFound(`Function not found: ${arn(accountId, name, what === "target" ? qualifier : "")}`);
  };

  return {
    async add(accountId, name, qualifier, body) {
      if (qualifier === LATEST)
        throw errors.invalidParameter("We currently do not support adding policies for $LATEST.");
      const q = qualifier ?? "";
      const input = permissionInput(body);
      const done: PolicyEdit = await edit(accountId, name, q, (current) => {
        checkRevision(current, input.revisionId);
        const statements = current?.statements ?? [];
        if (statements.some((s) => s.sid === input.statement.sid)) {
          throw errors.conflict(
            `The statement id (${input.statement.sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
          );
        }
        const next: PolicyStatement[] = [...statements, input.statement];
        const size = Buffer.byteLength(
          renderPolicy({ accountId, functionName: name, qualifier: q, statements: next }, region),
        );
        if (size > MAX_POLICY_BYTES) {
          throw new StratusError(
            "PolicyLengthExceededException",
            400,
            "client",
            `The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`,
          );
        }
        return next;
      });
      if (done.missing) throw missing(done.missing, accountId, name, q);
      return renderStatement(input.statement, arn(accountId, name, q));
    },
    async get(accountId, name, qualifier) {
      const policy = await store.get(accountId, name, policyQualifier(qualifier));
      if (!policy) throw errors.notFound("The resource you requested does not exist.");
      return { policy: renderPolicy(policy, region), revisionId: policy.revisionId };
    },
    async remove(accountId, name, qualifier, statementId, revisionId) {
      const sid = statementIdToRemove(statementId);
      const q = policyQualifier(qualifier);
      const done: PolicyEdit = await edit(accountId, name, q, (current) => {
        if (!current) throw errors.notFound("No policy is associated with the given resource.");
        checkRevision(current, revisionId);
        const next = current.statements.filter((s) => s.sid !== sid);
        if (next.length === current.statements.length) {
          throw errors.notFound(`Statement ${sid} is not found in resource policy.`);
        }
        return next;
      });
      if (done.missing === "function") throw errors.notFound(`No policy found for: ${arn(accountId, name, "")}`);
      if (done.missing) throw missing(done.missing, accountId, name, q);
    },
    async allows(owner, name, qualifier, req) {
      return allows(await cache.get(owner, name, policyQualifier(qualifier)), req);
    },
  };
}
