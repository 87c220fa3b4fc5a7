// Secrets in Secrets Manager's response shapes (dates as epoch seconds). Only
// metadata: no shape here carries a value.
import type { Secret } from "../store/secret-store.js";

export const seconds = (d: Date) => d.getTime() / 1000;

/** Versions that carry a staging label, by id, as VersionIdsToStages lists them. */
export function stagesById(s: Secret): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of s.versions) if (v.stages.length > 0) out[v.versionId] = v.stages;
  return out;
}

function common(s: Secret) {
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    LastChangedDate: seconds(s.lastChangedAt),
    ...(s.deletedAt ? { DeletedDate: seconds(s.deletedAt) } : {}),
    ...(s.tags.length > 0 ? { Tags: s.tags } : {}),
    CreatedDate: seconds(s.createdAt),
  };
}

export const describeShape = (s: Secret) => ({ ...common(s), VersionIdsToStages: stagesById(s) });

export const listEntryShape = (s: Secret) => ({ ...common(s), SecretVersionsToStages: stagesById(s) });
