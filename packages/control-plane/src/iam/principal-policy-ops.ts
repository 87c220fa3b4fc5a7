// IAM's seven policy operations of a principal kind, the same for roles and users:
// Put/Get/Delete/List{Kind}Policy (inline) and Attach/Detach/ListAttached{Kind}Policies
// (customer managed, or AWS managed from Stratus's catalog). Every document is checked
// before it is stored.
import type { PrincipalPolicies } from "../store/iam-principal-policies.js";
import { type ManagedPolicy, policyArn } from "../store/iam-types.js";
import { awsPolicyOf } from "./aws-managed.js";
import { iamErrors } from "./iam-errors.js";
import { name, only, page, pageOut, parsePolicyArn, pathPrefix, required } from "./iam-input.js";
import type { IamOp } from "./iam-op.js";
import { parsePolicy } from "./policy-document.js";

/** IAM's limit on an inline policy document. */
const INLINE_MAX = 10_240;

export interface PrincipalKind {
  kind: "Role" | "User";
  policies: PrincipalPolicies;
  /** The principal's stored name; NoSuchEntity when there is none. */
  find(accountId: string, name: string): Promise<string>;
  getPolicy(accountId: string, name: string): Promise<ManagedPolicy | undefined>;
  /** Called after the principal's policies changed (to drop cached decisions). */
  changed(accountId: string, name: string): void;
}

/** The name of the caller's managed policy that `arn` names. */
export function policyNamed(accountId: string, arn: string): string {
  const p = parsePolicyArn(arn);
  if (!p) throw iamErrors.invalidInput(`ARN ${arn.slice(0, 256)} is not valid.`);
  if (p.accountId !== accountId)
    throw iamErrors.noSuchEntity(`Policy ${arn.slice(0, 256)} does not exist or is not attachable.`);
  return p.name;
}

/** The caller's managed policy at `arn`, its path included; NoSuchEntity when there is none. */
export async function policyAtArn(
  getPolicy: (accountId: string, name: string) => Promise<ManagedPolicy | undefined>,
  accountId: string,
  arn: string,
): Promise<ManagedPolicy> {
  const policy = await getPolicy(accountId, policyNamed(accountId, arn));
  if (!policy || policyArn(policy) !== arn) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
  return policy;
}

/** The path of a managed policy's ARN (`/` or `/service-role/`...). */
const policyPath = (arn: string) => {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  return resource.slice(0, resource.lastIndexOf("/") + 1);
};

export function principalPolicyOps(p: PrincipalKind): Record<string, IamOp> {
  const { kind, policies } = p;
  const nameKey = `${kind}Name`;
  const lower = kind.toLowerCase();
  const noInline = (policyName: string) =>
    iamErrors.noSuchEntity(`The ${lower} policy with name ${policyName} cannot be found.`);
  const principal = (accountId: string, b: Record<string, unknown>) => p.find(accountId, name(b, nameKey, 64));

  return {
    async [`Put${kind}Policy`](accountId, b) {
      only(b, [nameKey, "PolicyName", "PolicyDocument"]);
      const owner = name(b, nameKey, 64);
      const policyName = name(b, "PolicyName", 128);
      const doc = required(b, "PolicyDocument");
      if (doc.length > INLINE_MAX)
        throw iamErrors.validation(`PolicyDocument must be at most ${INLINE_MAX} characters`);
      parsePolicy(doc);
      if (!(await policies.put(accountId, owner, policyName, doc))) {
        throw iamErrors.noSuchEntity(`The ${lower} with name ${owner} cannot be found.`);
      }
      p.changed(accountId, owner);
      return {};
    },
    async [`Get${kind}Policy`](accountId, b) {
      only(b, [nameKey, "PolicyName"]);
      const owner = await principal(accountId, b);
      const policyName = name(b, "PolicyName", 128);
      const doc = await policies.get(accountId, owner, policyName);
      if (doc === undefined) throw noInline(policyName);
      return { [nameKey]: owner, PolicyName: policyName, PolicyDocument: encodeURIComponent(doc) };
    },
    async [`Delete${kind}Policy`](accountId, b) {
      only(b, [nameKey, "PolicyName"]);
      const owner = await principal(accountId, b);
      const policyName = name(b, "PolicyName", 128);
      if (!(await policies.remove(accountId, owner, policyName))) throw noInline(policyName);
      p.changed(accountId, owner);
      return {};
    },
    async [`List${kind}Policies`](accountId, b) {
      only(b, [nameKey, "Marker", "MaxItems"]);
      const owner = await principal(accountId, b);
      const { after, max } = page(b);
      const result = await policies.list(accountId, owner, after, max);
      return { PolicyNames: result.items, ...pageOut(result.after) };
    },
    async [`Attach${kind}Policy`](accountId, b) {
      only(b, [nameKey, "PolicyArn"]);
      const owner = await principal(accountId, b);
      const arn = required(b, "PolicyArn", 2048);
      const aws = awsPolicyOf(arn);
      if (aws) {
        // False only when the principal went meanwhile: find says so by name.
        if (!(await policies.attachAws(accountId, owner, aws))) await p.find(accountId, owner);
        p.changed(accountId, owner);
        return {};
      }
      const policy = await p.getPolicy(accountId, policyNamed(accountId, arn));
      if (!policy || policyArn(policy) !== arn || !(await policies.attach(accountId, owner, policy.name))) {
        throw iamErrors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      }
      p.changed(accountId, owner);
      return {};
    },
    async [`Detach${kind}Policy`](accountId, b) {
      only(b, [nameKey, "PolicyArn"]);
      const owner = await principal(accountId, b);
      const arn = required(b, "PolicyArn", 2048);
      const aws = awsPolicyOf(arn);
      const detached = aws
        ? await policies.detachAws(accountId, owner, aws.name)
        : await policies.detach(accountId, owner, policyNamed(accountId, arn));
      if (!detached) {
        throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      }
      p.changed(accountId, owner);
      return {};
    },
    async [`ListAttached${kind}Policies`](accountId, b) {
      only(b, [nameKey, "PathPrefix", "Marker", "MaxItems"]);
      const owner = await principal(accountId, b);
      const { after, max } = page(b);
      const prefix = pathPrefix(b);
      const result = await policies.listAttached(accountId, owner, after, max);
      return {
        AttachedPolicies: result.items
          .filter((m) => policyPath(m.arn).startsWith(prefix))
          .map((m) => ({ PolicyName: m.name, PolicyArn: m.arn })),
        ...pageOut(result.after),
      };
    },
  };
}
