// Secrets Manager's operations over the secret store, for the caller's account. A
// value is sealed (secret-cipher.ts) before it reaches the store and opened only for
// GetSecretValue; every other answer carries metadata alone. Writes with a
// ClientRequestToken are idempotent: the same token and value answer as the first
// time did, the same token with another value is refused.
import { randomUUID } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { SecretStore, SecretTag, ValueKind } from "../store/secret-store.js";
import type { SecretCipher } from "./secret-cipher.js";
import { markedForDeletion, missingSecret, newSecretArn, secretOf } from "./secret-refs.js";
import { describeShape, listEntryShape, seconds } from "./secret-shapes.js";
import { chooseVersion, openVersion, sameValue } from "./secret-values.js";
import { secretVersionOps } from "./secret-versions.js";
import {
  type Body,
  deletion,
  filters,
  invalidParameter,
  invalidRequest,
  maxResults,
  onlyKnown,
  optionalString,
  requestToken,
  resourceExists,
  secretId,
  secretName,
  secretValue,
  tagKeys,
  tagList,
  versionStages,
} from "./secrets-input.js";
import { stageNewVersion } from "./stages.js";

const DAY_MS = 86_400_000;
const versionTaken = () => resourceExists("You can't modify an existing version, you can only create a new version.");
const token = (name: string) => Buffer.from(JSON.stringify({ after: name })).toString("base64url");

/** The name a NextToken says its page ended at. */
function untoken(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(v), "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // Not a token of ours: refused below.
  }
  throw new StratusError("InvalidNextTokenException", 400, "client", "The NextToken value is invalid.");
}

export function createSecretService(store: SecretStore, cipher: SecretCipher, region: string, now = () => new Date()) {
  const find = (accountId: string, body: Body, live = false) =>
    secretOf(store, region, accountId, secretId(body), live);

  /** Adds a version of `arn` with the value, or answers as before when its token already holds that value. */
  async function addVersion(
    secret: { accountId: string; arn: string; name: string },
    value: { kind: ValueKind; bytes: Buffer },
    versionId: string,
    labels: string[] | undefined,
    description?: string,
  ): Promise<{ VersionId: string; VersionStages: string[] }> {
    const sealed = cipher.seal(value.bytes, secret.arn, versionId);
    const res = await store.addVersion(
      secret.arn,
      { versionId, kind: value.kind, sealed },
      (vs, id) => stageNewVersion(vs, id, labels),
      description,
    );
    if (res.status === "missing") throw missingSecret();
    if (res.status === "deleted") throw markedForDeletion();
    if (res.status === "added") return { VersionId: versionId, VersionStages: res.stages };
    const again = await store.find(secret.accountId, { arn: secret.arn });
    const version = again?.versions.find((v) => v.versionId === versionId);
    if (!again || !version) throw versionTaken();
    if (!sameValue(await openVersion(store, cipher, again, version), value.kind, value.bytes)) throw versionTaken();
    return { VersionId: versionId, VersionStages: version.stages };
  }

  return {
    ...secretVersionOps(store, find),
    async createSecret(accountId: string, body: Body) {
      onlyKnown(
        body,
        ["Name", "ClientRequestToken", "Description", "SecretString", "SecretBinary", "Tags"],
        ["KmsKeyId", "AddReplicaRegions", "ForceOverwriteReplicaSecret", "Type"],
      );
      const name = secretName(body);
      const description = optionalString(body, "Description", 2048);
      const value = secretValue(body);
      const tags = tagList(body.Tags);
      const versionId = requestToken(body) ?? randomUUID();
      const arn = newSecretArn(region, accountId, name);
      const first = value
        ? { versionId, kind: value.kind, sealed: cipher.seal(value.bytes, arn, versionId) }
        : undefined;
      if (
        await store.create({ accountId, name, arn, ...(description !== undefined ? { description } : {}), tags }, first)
      ) {
        return { ARN: arn, Name: name, ...(value ? { VersionId: versionId } : {}) };
      }
      const existing = await store.find(accountId, { name });
      if (existing?.deletedAt) {
        throw invalidRequest(
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      // The same request again (its token names a version holding the same value) answers as the first did.
      const version = existing?.versions.find((v) => v.versionId === versionId);
      if (existing && version && value && body.ClientRequestToken !== undefined) {
        const open = await openVersion(store, cipher, existing, version);
        if (sameValue(open, value.kind, value.bytes)) return { ARN: existing.arn, Name: name, VersionId: versionId };
      }
      throw resourceExists(`The operation failed because the secret ${name} already exists.`);
    },

    async getSecretValue(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "VersionId", "VersionStage"]);
      const versionId = optionalString(body, "VersionId", 64);
      const stage = optionalString(body, "VersionStage", 256);
      const secret = await find(accountId, body, true);
      const open = await openVersion(store, cipher, secret, chooseVersion(secret, versionId, stage));
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: open.version.versionId,
        ...(open.kind === "string"
          ? { SecretString: open.bytes.toString("utf8") }
          : { SecretBinary: open.bytes.toString("base64") }),
        VersionStages: open.version.stages,
        CreatedDate: seconds(open.version.createdAt),
      };
    },

    async putSecretValue(accountId: string, body: Body) {
      onlyKnown(
        body,
        ["SecretId", "ClientRequestToken", "SecretString", "SecretBinary", "VersionStages"],
        ["RotationToken"],
      );
      const value = secretValue(body);
      if (!value) throw invalidParameter("You must provide either SecretString or SecretBinary.");
      const labels = versionStages(body);
      const versionId = requestToken(body) ?? randomUUID();
      const secret = await find(accountId, body, true);
      const added = await addVersion(secret, value, versionId, labels);
      return { ARN: secret.arn, Name: secret.name, ...added };
    },

    async updateSecret(accountId: string, body: Body) {
      onlyKnown(
        body,
        ["SecretId", "ClientRequestToken", "Description", "SecretString", "SecretBinary"],
        ["KmsKeyId", "Type"],
      );
      const description = optionalString(body, "Description", 2048);
      const value = secretValue(body);
      if (!value && description === undefined) {
        throw invalidParameter("UpdateSecret needs a Description, a SecretString or a SecretBinary.");
      }
      const versionId = requestToken(body) ?? randomUUID();
      const secret = await find(accountId, body, true);
      if (value) {
        const added = await addVersion(secret, value, versionId, undefined, description);
        return { ARN: secret.arn, Name: secret.name, VersionId: added.VersionId };
      }
      const res = await store.setDescription(secret.arn, description as string);
      if (res === "missing") throw missingSecret();
      if (res === "deleted") throw markedForDeletion();
      return { ARN: secret.arn, Name: secret.name };
    },

    async describeSecret(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId"]);
      return describeShape(await find(accountId, body));
    },

    /**
     * A secret's resource policy: none, since Stratus has no resource policies on
     * secrets (who may read one is its account's and IAM's to say). Secrets Manager's answer for
     * a secret without one: its ARN and name, no ResourcePolicy.
     */
    async getResourcePolicy(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId"]);
      const secret = await find(accountId, body, true);
      return { ARN: secret.arn, Name: secret.name };
    },

    /** Attaching one is refused by name. */
    async putResourcePolicy(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "ResourcePolicy", "BlockPublicPolicy"]);
      await find(accountId, body, true);
      throw invalidRequest("ResourcePolicy is not supported by Stratus yet: a secret has no resource policy");
    },

    /** Removing it: there is never one, so only the secret must be there. */
    async deleteResourcePolicy(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId"]);
      const secret = await find(accountId, body, true);
      return { ARN: secret.arn, Name: secret.name };
    },

    async listSecrets(accountId: string, body: Body) {
      onlyKnown(body, ["IncludePlannedDeletion", "MaxResults", "NextToken", "Filters", "SortOrder", "SortBy"]);
      if (body.SortBy !== undefined && body.SortBy !== "name") {
        throw invalidParameter(`SortBy ${String(body.SortBy)} is not supported by Stratus: secrets are listed by name`);
      }
      const order = body.SortOrder ?? "asc";
      if (order !== "asc" && order !== "desc") throw invalidParameter("SortOrder must be asc or desc");
      if (body.IncludePlannedDeletion !== undefined && typeof body.IncludePlannedDeletion !== "boolean") {
        throw invalidParameter("IncludePlannedDeletion must be a boolean");
      }
      const max = maxResults(body);
      const after = untoken(body.NextToken);
      const rows = await store.list({
        accountId,
        includeDeleted: body.IncludePlannedDeletion === true,
        filters: filters(body.Filters),
        ...(after !== undefined ? { after } : {}),
        descending: order === "desc",
        limit: max + 1,
      });
      const items = rows.slice(0, max);
      const last = items[items.length - 1];
      return {
        SecretList: items.map(listEntryShape),
        ...(rows.length > max && last ? { NextToken: token(last.name) } : {}),
      };
    },

    async deleteSecret(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "RecoveryWindowInDays", "ForceDeleteWithoutRecovery"]);
      const how = deletion(body);
      const secret = await find(accountId, body);
      if (how.force) {
        if (!(await store.remove(secret.arn))) throw missingSecret();
        return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(now()) };
      }
      if (secret.deletedAt) throw markedForDeletion();
      const at = new Date(now().getTime() + how.days * DAY_MS);
      if (!(await store.scheduleDeletion(secret.arn, at))) throw markedForDeletion();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(at) };
    },

    async restoreSecret(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId"]);
      const secret = await find(accountId, body);
      if (!(await store.restore(secret.arn))) throw missingSecret();
      return { ARN: secret.arn, Name: secret.name };
    },

    async tagResource(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "Tags"]);
      const given = tagList(body.Tags);
      const secret = await find(accountId, body);
      const res = await store.setTags(secret.arn, (tags: SecretTag[]) => {
        const merged = [...tags.filter((t) => !given.some((g) => g.Key === t.Key)), ...given];
        if (merged.length > 50) throw invalidParameter("A secret has at most 50 tags.");
        return merged;
      });
      if (res === "missing") throw missingSecret();
      if (res === "deleted") throw markedForDeletion();
      return {};
    },

    async untagResource(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "TagKeys"]);
      const keys = tagKeys(body.TagKeys);
      const secret = await find(accountId, body);
      const res = await store.setTags(secret.arn, (tags) => tags.filter((t) => !keys.includes(t.Key)));
      if (res === "missing") throw missingSecret();
      if (res === "deleted") throw markedForDeletion();
      return {};
    },
  };
}

export type SecretService = ReturnType<typeof createSecretService>;
