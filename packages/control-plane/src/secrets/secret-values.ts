// Reading a secret's value: choosing the version a request asks for (by id, by
// staging label, AWSCURRENT by default) and opening its sealed bytes; and telling
// whether a value sent again with a version's token is that version's value.
import { timingSafeEqual } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { Secret, SecretStore, ValueKind, VersionInfo } from "../store/secret-store.js";
import { type SecretCipher, SecretTamperedError } from "./secret-cipher.js";
import { notFound } from "./secrets-input.js";
import { CURRENT } from "./stages.js";

export interface OpenValue {
  version: VersionInfo;
  kind: ValueKind;
  bytes: Buffer;
}

/** The version that `versionId` and/or `stage` name (both: they must name the same one). */
export function chooseVersion(secret: Secret, versionId?: string, stage?: string): VersionInfo {
  const label = stage ?? (versionId === undefined ? CURRENT : undefined);
  const v = secret.versions.find(
    (x) => (versionId === undefined || x.versionId === versionId) && (label === undefined || x.stages.includes(label)),
  );
  if (!v) {
    throw notFound(
      label !== undefined && versionId === undefined
        ? `Secrets Manager can't find the specified secret value for staging label: ${label}`
        : `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
    );
  }
  return v;
}

/** Opens `version` of `secret`; a value that fails authentication is a platform fault (DecryptionFailure). */
export async function openVersion(
  store: Pick<SecretStore, "value">,
  cipher: SecretCipher,
  secret: Secret,
  version: VersionInfo,
): Promise<OpenValue> {
  const stored = await store.value(secret.arn, version.versionId);
  if (!stored)
    throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${version.versionId}`);
  try {
    return { version, kind: stored.kind, bytes: cipher.open(stored.sealed, secret.arn, version.versionId) };
  } catch (err) {
    if (!(err instanceof SecretTamperedError)) throw err;
    // The reason names keys and checks, never the value.
    throw new StratusError(
      "DecryptionFailure",
      500,
      "platform",
      `Secrets Manager can't decrypt the secret: ${err.message}`,
    );
  }
}

/** Whether `kind` and `bytes` are the value of `open`, compared in constant time. */
export function sameValue(open: Pick<OpenValue, "kind" | "bytes">, kind: ValueKind, bytes: Buffer): boolean {
  return open.kind === kind && open.bytes.length === bytes.length && timingSafeEqual(open.bytes, bytes);
}
