// IAM's operations that Stratus serves, per account: roles (with their trust
// policy), inline role policies, customer managed policies and their attachment to
// roles. Every document is checked before anything is stored (policy-document.ts).
// Operations take the caller's account and the decoded awsQuery input, and return
// the result structure awsQuery renders; documents go out URL-encoded, as IAM's do.
import { randomBytes } from "node:crypto";
import type { IamStore } from "../store/iam-store.js";
import type { Principal } from "./access.js";
import { iamErrors } from "./iam-errors.js";
import {
  type Input,
  name,
  only,
  page,
  pageOut,
  parsePolicyArn,
  path,
  pathPrefix,
  refuse,
  required,
  str,
} from "./iam-input.js";
import { type ManagedPolicy, policyArn, type Role, roleArn } from "./iam-types.js";
import { checkTrustPolicy, parsePolicy } from "./policy-document.js";

/** `caller`: the IAM principal that signed the request; undefined for the account's own keys. */
export type IamOp = (accountId: string, input: Input, caller?: Principal) => Promise<Record<string, unknown>>;

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const newId = (prefix: string) => prefix + Array.from(randomBytes(17), (b) => ID_ALPHABET[b % 36]).join("");

/** IAM's limits on a document's size: a trust or managed policy 6,144 characters, an inline one 10,240. */
const MANAGED_MAX = 6_144;
const INLINE_MAX = 10_240;

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
    DefaultVersionId: "v1",
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(p.description ? { Description: p.description } : {}),
    CreateDate: p.createdAt,
    UpdateDate: p.createdAt,
  };
}

function document(b: Input, key: string, max: number): string {
  const doc = required(b, key);
  if (doc.length > max) throw iamErrors.validation(`${key} must be at most ${max} characters`);
  return doc;
}

export function createIamService(store: IamStore): Record<string, IamOp> {
  const roleOf = async (accountId: string, roleName: string) => {
    const role = await store.getRole(accountId, roleName);
    if (!role) throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
    return role;
  };
  /** The name of the caller's managed policy the ARN names. */
  const policyNamed = (accountId: string, arn: string) => {
    const p = parsePolicyArn(arn);
    if (!p) throw iamErrors.invalidInput(`ARN ${arn.slice(0, 256)} is not valid.`);
    if (p.accountId !== accountId)
      throw iamErrors.noSuchEntity(`Policy ${arn.slice(0, 256)} does not exist or is not attachable.`);
    return p.name;
  };

  return {
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
      refuse(b, ["Tags", "PermissionsBoundary"]);
      const roleName = name(b, "RoleName", 64);
      const trust = document(b, "AssumeRolePolicyDocument", MANAGED_MAX);
      checkTrustPolicy(trust);
      const duration = Number(str(b, "MaxSessionDuration") ?? 3600);
      if (!Number.isInteger(duration) || duration < 3600 || duration > 43_200) {
        throw iamErrors.validation("MaxSessionDuration must be between 3600 and 43200 seconds");
      }
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
      if (!(await store.createRole(role))) throw iamErrors.alreadyExists(`Role with name ${roleName} already exists.`);
      return { Role: roleShape(role) };
    },
    async GetRole(accountId, b) {
      only(b, ["RoleName"]);
      return { Role: roleShape(await roleOf(accountId, name(b, "RoleName", 64))) };
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
    async ListRoles(accountId, b) {
      only(b, ["PathPrefix", "Marker", "MaxItems"]);
      const { after, max } = page(b);
      const result = await store.listRoles(accountId, pathPrefix(b), after, max);
      return { Roles: result.items.map(roleShape), ...pageOut(result.after) };
    },
    async PutRolePolicy(accountId, b) {
      only(b, ["RoleName", "PolicyName", "PolicyDocument"]);
      const roleName = name(b, "RoleName", 64);
      const policyName = name(b, "PolicyName", 128);
      const doc = document(b, "PolicyDocument", INLINE_MAX);
      parsePolicy(doc);
      if (!(await store.putRolePolicy(accountId, roleName, policyName, doc))) {
        throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
      }
      return {};
    },
    async GetRolePolicy(accountId, b) {
      only(b, ["RoleName", "PolicyName"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const policyName = name(b, "PolicyName", 128);
      const doc = await store.getRolePolicy(accountId, role.name, policyName);
      if (doc === undefined) {
        throw iamErrors.noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      }
      return { RoleName: role.name, PolicyName: policyName, PolicyDocument: encoded(doc) };
    },
    async DeleteRolePolicy(accountId, b) {
      only(b, ["RoleName", "PolicyName"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const policyName = name(b, "PolicyName", 128);
      if (!(await store.deleteRolePolicy(accountId, role.name, policyName))) {
        throw iamErrors.noSuchEntity(`The role policy with name ${policyName} cannot be found.`);
      }
      return {};
    },
    async ListRolePolicies(accountId, b) {
      only(b, ["RoleName", "Marker", "MaxItems"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const { after, max } = page(b);
      const result = await store.listRolePolicies(accountId, role.name, after, max);
      return { PolicyNames: result.items, ...pageOut(result.after) };
    },
    async CreatePolicy(accountId, b) {
      only(b, ["PolicyName", "Path", "PolicyDocument", "Description", "Tags"]);
      refuse(b, ["Tags"]);
      const policyName = name(b, "PolicyName", 128);
      const doc = document(b, "PolicyDocument", MANAGED_MAX);
      parsePolicy(doc);
      const policy: ManagedPolicy = {
        accountId,
        name: policyName,
        policyId: newId("ANPA"),
        path: path(b),
        description: str(b, "Description", { max: 1000 }) ?? "",
        document: doc,
        createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
        attachmentCount: 0,
      };
      if (!(await store.createPolicy(policy))) {
        throw iamErrors.alreadyExists(`A policy called ${policyName} already exists. Duplicate names are not allowed.`);
      }
      return { Policy: policyShape(policy) };
    },
    async GetPolicy(accountId, b) {
      only(b, ["PolicyArn"]);
      const arn = required(b, "PolicyArn", 2048);
      const policy = await store.getPolicy(accountId, policyNamed(accountId, arn));
      if (!policy || policyArn(policy) !== arn) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      return { Policy: policyShape(policy) };
    },
    async GetPolicyVersion(accountId, b) {
      only(b, ["PolicyArn", "VersionId"]);
      const arn = required(b, "PolicyArn", 2048);
      const version = required(b, "VersionId", 32);
      const policy = await store.getPolicy(accountId, policyNamed(accountId, arn));
      if (!policy || policyArn(policy) !== arn) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      if (version !== "v1")
        throw iamErrors.noSuchEntity(`Policy ${arn} version ${version.slice(0, 32)} does not exist.`);
      return {
        PolicyVersion: {
          Document: encoded(policy.document),
          VersionId: "v1",
          IsDefaultVersion: true,
          CreateDate: policy.createdAt,
        },
      };
    },
    async DeletePolicy(accountId, b) {
      only(b, ["PolicyArn"]);
      const arn = required(b, "PolicyArn", 2048);
      const outcome = await store.deletePolicy(accountId, policyNamed(accountId, arn));
      if (outcome === "missing") throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      if (outcome === "conflict") throw iamErrors.deleteConflict("Cannot delete a policy attached to entities.");
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
      // Stratus has no AWS managed policies: Scope=AWS lists none.
      if (scope === "AWS") return { Policies: [], IsTruncated: false };
      const opts = { pathPrefix: pathPrefix(b), onlyAttached: attached === "true" };
      const result = await store.listPolicies(accountId, opts, after, max);
      return { Policies: result.items.map(policyShape), ...pageOut(result.after) };
    },
    async AttachRolePolicy(accountId, b) {
      only(b, ["RoleName", "PolicyArn"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const arn = required(b, "PolicyArn", 2048);
      const policy = await store.getPolicy(accountId, policyNamed(accountId, arn));
      if (!policy || policyArn(policy) !== arn || !(await store.attach(accountId, role.name, policy.name))) {
        throw iamErrors.noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      }
      return {};
    },
    async DetachRolePolicy(accountId, b) {
      only(b, ["RoleName", "PolicyArn"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const arn = required(b, "PolicyArn", 2048);
      if (!(await store.detach(accountId, role.name, policyNamed(accountId, arn)))) {
        throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      }
      return {};
    },
    async ListAttachedRolePolicies(accountId, b) {
      only(b, ["RoleName", "PathPrefix", "Marker", "MaxItems"]);
      const role = await roleOf(accountId, name(b, "RoleName", 64));
      const { after, max } = page(b);
      const prefix = pathPrefix(b);
      const result = await store.listAttached(accountId, role.name, after, max);
      return {
        AttachedPolicies: result.items
          .filter((p) => p.path.startsWith(prefix))
          .map((p) => ({ PolicyName: p.name, PolicyArn: policyArn(p) })),
        ...pageOut(result.after),
      };
    },
  };
}
