// IAM's policy version operations: CreatePolicyVersion (Terraform's way to change an
// aws_iam_policy's document), SetDefaultPolicyVersion, DeletePolicyVersion,
// GetPolicyVersion and ListPolicyVersions. An AWS managed policy of Stratus's
// catalog has one version, v1, to read; only the account's own can change.

import { POLICY_VERSIONS_MAX, type PolicyVersion } from "../store/iam-policy-versions.js";
import type { IamStore } from "../store/iam-store.js";
import type { Access } from "./access.js";
import { type AwsPolicy, awsPolicyOf, CATALOG_DATE, isAwsPolicyArn } from "./aws-managed.js";
import { iamErrors } from "./iam-errors.js";
import { type Input, only, page, pageOut, required, str } from "./iam-input.js";
import type { IamOp } from "./iam-op.js";
import { parsePolicy } from "./policy-document.js";
import { policyAtArn } from "./principal-policy-ops.js";

/** IAM's limit on a managed policy document. */
export const MANAGED_MAX = 6_144;

const VERSION_ID = /^v([1-9][0-9]{0,8})$/;

const encoded = (doc: string) => encodeURIComponent(doc);

const versionShape = (v: PolicyVersion) => ({
  VersionId: `v${v.version}`,
  IsDefaultVersion: v.isDefault,
  CreateDate: v.createdAt,
});

const catalogVersion = (p: AwsPolicy): PolicyVersion => ({
  version: 1,
  document: p.document,
  createdAt: CATALOG_DATE,
  isDefault: true,
});

export function policyVersionOps(store: IamStore, access: Pick<Access, "forgetAccount">): Record<string, IamOp> {
  const versions = store.policyVersions;
  /** The stored name of the account's policy at `arn` (its path included); NoSuchEntity if none. */
  const policyAt = async (accountId: string, arn: string) =>
    (await policyAtArn((a, n) => store.getPolicy(a, n), accountId, arn)).name;
  /** The account's policy at `arn`, refusing AWS's: they are AWS's to change. */
  const ownPolicyAt = (accountId: string, arn: string) => {
    if (isAwsPolicyArn(arn)) throw iamErrors.invalidInput(`Policy ${arn.slice(0, 256)} is an AWS managed policy.`);
    return policyAt(accountId, arn);
  };
  const versionIn = (b: Input) => {
    const id = required(b, "VersionId", 32);
    const m = VERSION_ID.exec(id);
    if (!m) throw iamErrors.validation(`VersionId ${id} is not valid: a version is v1, v2...`);
    return { id, number: Number(m[1]) };
  };
  const noVersion = (arn: string, id: string) => iamErrors.noSuchEntity(`Policy ${arn} version ${id} does not exist.`);

  return {
    async CreatePolicyVersion(accountId, b) {
      only(b, ["PolicyArn", "PolicyDocument", "SetAsDefault"]);
      const arn = required(b, "PolicyArn", 2048);
      const doc = required(b, "PolicyDocument");
      if (doc.length > MANAGED_MAX)
        throw iamErrors.validation(`PolicyDocument must be at most ${MANAGED_MAX} characters`);
      parsePolicy(doc);
      const setAsDefault = str(b, "SetAsDefault") ?? "false";
      if (setAsDefault !== "true" && setAsDefault !== "false")
        throw iamErrors.validation("SetAsDefault must be true or false");
      const name = await ownPolicyAt(accountId, arn);
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      const made = await versions.create(accountId, name, doc, setAsDefault === "true", at);
      if (made === "missing") throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      if (made === "limit") {
        throw iamErrors.limitExceeded(
          `A managed policy can have up to ${POLICY_VERSIONS_MAX} versions. Before you create a new version, you must delete an existing version.`,
        );
      }
      if (setAsDefault === "true") access.forgetAccount(accountId);
      return {
        PolicyVersion: versionShape({
          version: made,
          document: doc,
          createdAt: at,
          isDefault: setAsDefault === "true",
        }),
      };
    },
    async SetDefaultPolicyVersion(accountId, b) {
      only(b, ["PolicyArn", "VersionId"]);
      const arn = required(b, "PolicyArn", 2048);
      const version = versionIn(b);
      const name = await ownPolicyAt(accountId, arn);
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      if ((await versions.setDefault(accountId, name, version.number, at)) === "missing")
        throw noVersion(arn, version.id);
      access.forgetAccount(accountId);
      return {};
    },
    async DeletePolicyVersion(accountId, b) {
      only(b, ["PolicyArn", "VersionId"]);
      const arn = required(b, "PolicyArn", 2048);
      const version = versionIn(b);
      const outcome = await versions.remove(accountId, await ownPolicyAt(accountId, arn), version.number);
      if (outcome === "missing") throw noVersion(arn, version.id);
      if (outcome === "default") throw iamErrors.deleteConflict("Cannot delete the default version of a policy.");
      return {};
    },
    async GetPolicyVersion(accountId, b) {
      only(b, ["PolicyArn", "VersionId"]);
      const arn = required(b, "PolicyArn", 2048);
      const version = versionIn(b);
      const aws = awsPolicyOf(arn);
      const found = aws
        ? version.number === 1
          ? catalogVersion(aws)
          : undefined
        : await versions.get(accountId, await policyAt(accountId, arn), version.number);
      if (!found) throw noVersion(arn, version.id);
      return { PolicyVersion: { Document: encoded(found.document), ...versionShape(found) } };
    },
    async ListPolicyVersions(accountId, b) {
      only(b, ["PolicyArn", "Marker", "MaxItems"]);
      const { after, max } = page(b);
      const arn = required(b, "PolicyArn", 2048);
      const aws = awsPolicyOf(arn);
      const all = aws ? [catalogVersion(aws)] : await versions.list(accountId, await policyAt(accountId, arn));
      if (!all) throw iamErrors.noSuchEntity(`Policy ${arn} was not found.`);
      // Newest first; a page ends at a version, the next begins below it.
      const rest = after === undefined ? all : all.filter((v) => v.version < Number(after.slice(1)));
      const shown = rest.slice(0, max);
      const last = shown.at(-1);
      return {
        Versions: shown.map(versionShape),
        ...pageOut(rest.length > max && last ? `v${last.version}` : undefined),
      };
    },
  };
}
