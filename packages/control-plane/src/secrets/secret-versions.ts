// A secret's versions by id: ListSecretVersionIds, and UpdateSecretVersionStage, which
// moves a staging label from one version to another (secrets/stages.ts says how).
// Terraform's aws_secretsmanager_secret_version calls it to take AWSPREVIOUS and other
// labels off a version it deletes.
import type { Secret, SecretStore } from "../store/secret-store.js";
import { markedForDeletion, missingSecret } from "./secret-refs.js";
import { seconds } from "./secret-shapes.js";
import { type Body, invalidParameter, maxResults, onlyKnown, optionalString } from "./secrets-input.js";
import { moveStage } from "./stages.js";

const versionIdOf = (body: Body, field: string) => {
  const v = optionalString(body, field, 64);
  if (v !== undefined && v.length < 32) throw invalidParameter(`${field} must be 32 to 64 characters`);
  return v;
};

export function secretVersionOps(
  store: Pick<SecretStore, "restage">,
  find: (accountId: string, body: Body, live?: boolean) => Promise<Secret>,
) {
  return {
    async updateSecretVersionStage(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "VersionStage", "RemoveFromVersionId", "MoveToVersionId"]);
      const secret = await find(accountId, body, true);
      const stage = optionalString(body, "VersionStage", 256);
      if (!stage) throw invalidParameter("VersionStage is required");
      const moveTo = versionIdOf(body, "MoveToVersionId");
      const removeFrom = versionIdOf(body, "RemoveFromVersionId");
      const result = await store.restage(secret.arn, (versions) =>
        moveStage(versions, {
          stage,
          ...(moveTo !== undefined ? { moveTo } : {}),
          ...(removeFrom !== undefined ? { removeFrom } : {}),
        }),
      );
      if (result === "missing") throw missingSecret();
      if (result === "deleted") throw markedForDeletion();
      if (typeof result === "object") throw invalidParameter(result.refused);
      return { ARN: secret.arn, Name: secret.name };
    },

    /** The secret's versions, oldest first; those without a label only with IncludeDeprecated. */
    async listSecretVersionIds(accountId: string, body: Body) {
      onlyKnown(body, ["SecretId", "MaxResults", "NextToken", "IncludeDeprecated"]);
      const secret = await find(accountId, body);
      if (body.IncludeDeprecated !== undefined && typeof body.IncludeDeprecated !== "boolean") {
        throw invalidParameter("IncludeDeprecated must be a boolean");
      }
      const max = maxResults(body);
      const listed = secret.versions.filter((v) => body.IncludeDeprecated === true || v.stages.length > 0);
      const start = nextIndex(body.NextToken, listed.length);
      const page = listed.slice(start, start + max);
      return {
        Versions: page.map((v) => ({
          VersionId: v.versionId,
          VersionStages: v.stages,
          CreatedDate: seconds(v.createdAt),
        })),
        ...(start + max < listed.length ? { NextToken: Buffer.from(String(start + max)).toString("base64url") } : {}),
        ARN: secret.arn,
        Name: secret.name,
      };
    },
  };
}

/** Where a NextToken of ours says the page starts. */
function nextIndex(token: unknown, length: number): number {
  if (token === undefined || token === null) return 0;
  const n = Number(Buffer.from(String(token), "base64url").toString("utf8"));
  if (!Number.isInteger(n) || n < 1 || n > length) throw invalidParameter("The NextToken value is invalid.");
  return n;
}
