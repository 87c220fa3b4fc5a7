// A secret's ARN, and finding the caller's secret from the SecretId a request names it
// by: its name, its full ARN, or a partial ARN (the ARN without the six random
// characters). Another account's or region's ARN is not found, as in Secrets Manager.
import { randomInt } from "node:crypto";
import type { Secret, SecretStore } from "../store/secret-store.js";
import { invalidRequest, notFound } from "./secrets-input.js";

const SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ARN = /^arn:aws:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

/** arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters> */
export function newSecretArn(region: string, accountId: string, name: string): string {
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
}

export const missingSecret = () => notFound("Secrets Manager can't find the specified secret.");
export const markedForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

/** The caller's secret that `id` names, or undefined. */
export async function findSecret(
  store: Pick<SecretStore, "find">,
  region: string,
  accountId: string,
  id: string,
): Promise<Secret | undefined> {
  if (!id.startsWith("arn:")) return store.find(accountId, { name: id });
  const m = ARN.exec(id);
  if (!m || m[1] !== region || m[2] !== accountId) return undefined;
  return (await store.find(accountId, { arn: id })) ?? (await store.find(accountId, { name: m[3] as string }));
}

/** The caller's secret that `id` names; ResourceNotFoundException if none, InvalidRequestException if `live` and it is scheduled for deletion. */
export async function secretOf(
  store: Pick<SecretStore, "find">,
  region: string,
  accountId: string,
  id: string,
  live = false,
): Promise<Secret> {
  const s = await findSecret(store, region, accountId, id);
  if (!s) throw missingSecret();
  if (live && s.deletedAt) throw markedForDeletion();
  return s;
}
