// IAM's operations that Stratus serves, per account: roles (with their trust
// policy), inline role policies, customer managed policies and their attachment to
// roles; AWS managed policies from Stratus's catalog (aws-managed.ts), read and listed.
// Every document is checked before anything is stored (policy-document.ts).
// Operations take the caller's account and the decoded awsQuery input, and return
// the result structure awsQuery renders; documents go out URL-encoded, as IAM's do.
import { randomBytes } from "node:crypto";
import type { IamStore } from "../store/iam-store.js";
import type { IamTags } from "../store/iam-tags-store.js";
import { type ManagedPolicy, policyArn, type Role, roleArn } from "../store/iam-types.js";
import type { Access } from "./access.js";
import { AWS_POLICIES, type AwsPolicy, awsPolicyArn, awsPolicyOf, CATALOG_DATE } from "./aws-managed.js";
import { iamErrors } from "./iam-errors.js";
import { type Input, name, only, page, pageOut, path, pathPrefix, refuse, required, str } from "./iam-input.js";
import type { IamOp } from "./iam-op.js";
import { tagList, tagsIn } from "./iam-tags.js";
import { checkTrustPolicy, parsePolicy } from "./policy-document.js";
import { MANAGED_MAX, policyVersionOps } from "./policy-version-ops.js";
import { policyAtArn, policyNamed, principalPolicyOps } from "./principal-policy-ops.js";

export type { IamOp } from "./iam-op.js";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const newId = (prefix: string) => prefix + Array.from(randomBytes(17), (b) => ID_ALPHABET[b % 36]).join("");

const encoded = (doc: string) => encodeURIComponent(doc);

function roleShape(r: Role) {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.roleId,
    Arn: roleArn(r),
    CreateDate: r.createdAt,
    AssumeRolePolicyDocument: encoded(r.trustPolicy),
    ...(r.description ? { Description: r.description } : {}),
    MaxSessionDuration: r.maxSessionDuration,
  };
}

function policyShape(p: ManagedPolicy) {
  return {
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: policyArn(p),
    Path: p.path,
    DefaultVersionId: `v${p.defaultVersion}`,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(p.description ? { Description: p.description } : {}),
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
  };
}

function awsPolicyShape(p: AwsPolicy, attachments: number) {
  return {
    PolicyName: p.name,
    PolicyId: p.policyId,
    Arn: awsPolicyArn(p),
    Path: p.path,
    DefaultVersionId: "v1",
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.description,
    CreateDate: CATALOG_DATE,
    UpdateDate: CATALOG_DATE,
  };
}

/** A shape with its Tags, when it has any (as IAM leaves an untagged role's out). */
const withTags = <T extends object>(shape: T, tags: Record<string, string>) =>
  Object.keys(tags).length > 0 ? { ...shape, Tags: tagList(tags) } : shape;

/** MaxSessionDuration, when given: 3600 to 43200 seconds. */
function sessionDuration(b: Input): number | undefined {
  const raw = str(b, "MaxSessionDuration");
  if (raw === undefined) return undefined;
  const duration = Number(raw);
  if (!Number.isInteger(duration) || duration < 3600 || duration > 43_200) {
    throw iamErrors.validation("MaxSessionDuration must be between 3600 and 43200 seconds");
  }
  return duration;
}

function document(b: Input, key: string, max: number): string {
  const doc = required(b, key);
  if (doc.length > max) throw iamErrors.validation(`${key} must be at most ${max} characters`);
  return doc;
}

export function createIamService(
  store: IamStore,
  access: Pick<Access, "forget" | "forgetAccount">,
  tags: IamTags,
): Record<string, IamOp> {
  const roleOf = async (accountId: string, roleName: string) => {
    const role = await store.getRole(accountId, roleName);
    if (!role) throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
    return role;
  };

  /** Stores a change of the role (gone meanwhile: NoSuchEntity) and drops what is cached of it. */
  const updated = async (accountId: string, roleName: string, change: Parameters<IamStore["updateRole"]>[2]) => {
    if (!(await store.updateRole(accountId, roleName, change))) {
      throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
    }
    access.forget(accountId, "role", roleName);
  };

  return {
    ...policyVersionOps(store, access),
    ...principalPolicyOps({
      kind: "Role",
      policies: store.rolePolicies,
      find: async (accountId, roleName) => (await roleOf(accountId, roleName)).name,
      getPolicy: (accountId, policyName) => store.getPolicy(accountId, policyName),
      changed: (accountId, roleName) => access.forget(accountId, "role", roleName),
    }),
    async CreateRole(accountId, b) {
      only(b, [
        "RoleName",
        "Path",
        "AssumeRolePolicyDocument",
        "Description",
        "MaxSessionDuration",
        "Tags",
        "PermissionsBoundary",
      ]);
      refuse(b, ["PermissionsBoundary"]);
      const roleName = name(b, "RoleName", 64);
      const roleTags = tagsIn(b);
      const trust = document(b, "AssumeRolePolicyDocument", MANAGED_MAX);
      checkTrustPolicy(trust);
      const duration = sessionDuration(b) ?? 3600;
      const role: Role = {
        accountId,
        name: roleName,
        roleId: newId("AROA"),
        path: path(b),
        trustPolicy: trust,
        description: str(b, "Description", { max: 1000 }) ?? "",
        maxSessionDuration: duration,
        createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
      };
      if (!(await store.createRole(role, roleTags))) {
        throw iamErrors.alreadyExists(`Role with name ${roleName} already exists.`);
      }
      return { Role: withTags(roleShape(role), roleTags) };
    },
    async UpdateAssumeRolePolicy(accountId, b) {
      only(b, ["RoleName", "PolicyDocument"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const trust = document(b, "PolicyDocument", MANAGED_MAX);
      checkTrustPolicy(trust);
      await updated(accountId, role.name, { trustPolicy: trust });
      return {};
    },
    async UpdateRole(accountId, b) {
      only(b, ["RoleName", "Description", "MaxSessionDuration"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const description = str(b, "Description", { max: 1000 });
      const maxSessionDuration = sessionDuration(b);
      await updated(accountId, role.name, {
        ...(description !== undefined ? { description } : {}),
        ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
      });
      return {};
    },
    async UpdateRoleDescription(accountId, b) {
      only(b, ["RoleName", "Description"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const description = str(b, "Description", { required: true, max: 1000 }) as string;
      await updated(accountId, role.name, { description });
      return { Role: roleShape({ ...role, description }) };
    },
    async GetRole(accountId, b) {
      only(b, ["RoleName"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      return { Role: withTags(roleShape(role), (await tags.get("role", accountId, role.name)) ?? {}) };
    },
    async DeleteRole(accountId, b) {
      only(b, ["RoleName"]);
      const roleName = name(b, "RoleName", 64);
      const outcome = await store.deleteRole(accountId, roleName);
      if (outcome === "missing") throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
      if (outcome === "conflict")
        throw iamErrors.deleteConflict("Cannot delete entity, must detach all policies first.");
      return {};
    },
    async ListInstanceProfilesForRole(accountId, b) {
      only(b, ["RoleName", "Marker", "MaxItems"]);
      page(b);
      await roleOf(accountId, name(b, "RoleName", 64));
      // Instance profiles carry roles to EC2 instances; Stratus has none to put a role in.
      return { InstanceProfiles: [], IsTruncated: false };
    },
    async ListRoles(accountId, b) {
      only(b, ["PathPrefix", "Marker", "MaxItems"]);
      const { after, max } = page(b);
      const result = await store.listRoles(accountId, pathPrefix(b), after, max);
      return { Roles: result.items.map(roleShape), ...pageOut(result.after) };
    },
    async CreatePolicy(accountId, b) {
      only(b, ["PolicyName", "Path", "PolicyDocument", "Description", "Tags"]);
      const policyName = name(b, "PolicyName", 128);
      const policyTags = tagsIn(b);
      const doc = document(b, "PolicyDocument", MANAGED_MAX);
      parsePolicy(doc);
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const policy: ManagedPolicy = {
        accountId,
        name: policyName,
        policyId: newId("ANPA"),
        path: path(b),
        description: str(b, "Description", { max: 1000 }) ?? "",
        document: doc,
        createdAt: now,
        defaultVersion: 1,
        updatedAt: now,
        attachmentCount: 0,
      };
      if (!(await store.createPolicy(policy, policyTags))) {
        throw iamErrors.alreadyExists(`A policy called ${policyName} already exists. Duplicate names are not allowed.`);
      }
      return { Policy: withTags(policyShape(policy), policyTags) };
    },
    async GetPolicy(accountId, b) {
      only(b, ["PolicyArn"]);
      const arn = required(b, "PolicyArn", 2048);
      const aws = awsPolicyOf(arn);
      if (aws) return { Policy: awsPolicyShape(aws, (await store.awsAttachmentCounts(accountId)).get(aws.name) ?? 0) };
      const policy = await policyAtArn((a, n) => store.getPolicy(a, n), accountId, arn);
      return { Policy: withTags(policyShape(policy), (await tags.get("policy", accountId, policy.name)) ?? {}) };
    },
    async DeletePolicy(accountId, b) {
      only(b, ["PolicyArn"]);
      const arn = required(b, "PolicyArn", 2048);
      const outcome = await store.deletePolicy(accountId, policyNamed(accountId, arn));
      if (outcome === "missing") throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      if (outcome === "conflict") throw iamErrors.deleteConflict("Cannot delete a policy attached to entities.");
      if (outcome === "versions") {
        throw iamErrors.deleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's non-default versions.",
        );
      }
      return {};
    },
    async ListPolicies(accountId, b) {
      only(b, ["Scope", "OnlyAttached", "PathPrefix", "PolicyUsageFilter", "Marker", "MaxItems"]);
      refuse(b, ["PolicyUsageFilter"]);
      const scope = str(b, "Scope") ?? "All";
      if (!["All", "AWS", "Local"].includes(scope)) throw iamErrors.validation("Scope must be one of All, AWS, Local");
      const attached = str(b, "OnlyAttached") ?? "false";
      if (attached !== "true" && attached !== "false") throw iamErrors.validation("OnlyAttached must be true or false");
      const { after, max } = page(b);
      const opts = { pathPrefix: pathPrefix(b), onlyAttached: attached === "true" };
      // Scope All lists AWS's first (their markers begin "aws/", which no policy name can), then the account's.
      const inAws = scope === "AWS" || (scope === "All" && (after === undefined || after.startsWith("aws/")));
      const awsShapes: ReturnType<typeof awsPolicyShape>[] = [];
      if (inAws) {
        const from = scope === "All" && after !== undefined ? after.slice(4) : after;
        const counts = await store.awsAttachmentCounts(accountId);
        for (const p of AWS_POLICIES) {
          if (!p.path.startsWith(opts.pathPrefix)) continue;
          if (from !== undefined && p.name.toLowerCase().localeCompare(from.toLowerCase()) <= 0) continue;
          const n = counts.get(p.name) ?? 0;
          if (opts.onlyAttached && n === 0) continue;
          if (awsShapes.length === max) {
            const last = awsShapes[max - 1]?.PolicyName as string;
            return { Policies: awsShapes, ...pageOut(scope === "All" ? `aws/${last}` : last) };
          }
          awsShapes.push(awsPolicyShape(p, n));
        }
        if (scope === "AWS") return { Policies: awsShapes, IsTruncated: false };
        if (awsShapes.length === max)
          return { Policies: awsShapes, ...pageOut(`aws/${awsShapes[max - 1]?.PolicyName}`) };
      }
      const localAfter = inAws ? undefined : after;
      const result = await store.listPolicies(accountId, opts, localAfter, max - awsShapes.length);
      return { Policies: [...awsShapes, ...result.items.map(policyShape)], ...pageOut(result.after) };
    },
  };
}
