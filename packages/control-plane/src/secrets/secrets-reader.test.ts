import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Secret, StoredValue } from "../store/secret-store.js";
import { createSecretCipher } from "./secret-cipher.js";
import { createSecretsReader } from "./secrets-reader.js";

const REGION = "us-east-1";
const ACCOUNT = "111111111111";
const ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:broker-AbCdEf`;
const cipher = createSecretCipher(randomBytes(32));
const at = new Date("2026-01-01T00:00:00Z");

/** An in-memory store holding one secret with a previous and a current version. */
function fakeStore(overrides: Partial<Secret> = {}) {
  const secret: Secret = {
    accountId: ACCOUNT,
    name: "broker",
    arn: ARN,
    tags: [],
    createdAt: at,
    lastChangedAt: at,
    versions: [
      { versionId: "v1", stages: ["AWSPREVIOUS"], createdAt: at },
      { versionId: "v2", stages: ["AWSCURRENT"], createdAt: at },
    ],
    ...overrides,
  };
  const values = new Map<string, StoredValue>([
    ["v1", { kind: "string", sealed: cipher.seal(Buffer.from("old"), ARN, "v1"), createdAt: at }],
    ["v2", { kind: "string", sealed: cipher.seal(Buffer.from('{"username":"u"}'), ARN, "v2"), createdAt: at }],
  ]);
  return {
    async find(accountId: string, by: { arn: string } | { name: string }) {
      if (accountId !== secret.accountId) return undefined;
      return ("arn" in by ? by.arn === secret.arn : by.name === secret.name) ? secret : undefined;
    },
    async value(arn: string, versionId: string) {
      return arn === secret.arn ? values.get(versionId) : undefined;
    },
  };
}

describe("SecretsReader", () => {
  it("resolves a full or partial ARN to the current value", async () => {
    const reader = createSecretsReader(fakeStore(), cipher, REGION);
    expect(await reader.current(ACCOUNT, ARN)).toEqual({ kind: "string", string: '{"username":"u"}' });
    const partial = ARN.slice(0, -7);
    expect(await reader.current(ACCOUNT, partial)).toEqual({ kind: "string", string: '{"username":"u"}' });
  });

  it("does not find another account's secret, or one in another region", async () => {
    const reader = createSecretsReader(fakeStore(), cipher, REGION);
    await expect(reader.current("222222222222", ARN)).rejects.toMatchObject({ code: "ResourceNotFoundException" });
    await expect(reader.current(ACCOUNT, ARN.replace(REGION, "eu-west-1"))).rejects.toMatchObject({
      code: "ResourceNotFoundException",
    });
  });

  it("refuses a secret scheduled for deletion, and one without a current value", async () => {
    const deleted = createSecretsReader(fakeStore({ deletedAt: at, deleteAfter: at }), cipher, REGION);
    await expect(deleted.current(ACCOUNT, ARN)).rejects.toMatchObject({ code: "InvalidRequestException" });
    const empty = createSecretsReader(fakeStore({ versions: [] }), cipher, REGION);
    await expect(empty.current(ACCOUNT, ARN)).rejects.toMatchObject({ code: "ResourceNotFoundException" });
  });

  it("reports a value it cannot open as a decryption failure, without the value", async () => {
    const reader = createSecretsReader(fakeStore(), createSecretCipher(randomBytes(32)), REGION);
    const err = await reader.current(ACCOUNT, ARN).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "DecryptionFailure", status: 500 });
    expect((err as Error).message).not.toContain("username");
  });
});
