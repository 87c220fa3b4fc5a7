import { describe, expect, it } from "vitest";
import {
  deletion,
  filters,
  onlyKnown,
  requestToken,
  secretName,
  secretValue,
  tagList,
  versionStages,
} from "./secrets-input.js";

const refused = (f: () => unknown, code: string, message?: RegExp) => {
  try {
    f();
  } catch (err) {
    expect((err as { code: string }).code).toBe(code);
    if (message) expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected a refusal");
};

describe("secret names", () => {
  it.each(["a", "prod/db/password", "x_+=.@-y", "n".repeat(512)])("accepts %s", (n) => {
    expect(secretName({ Name: n })).toBe(n);
  });
  it.each(["", "has space", "semi;colon", "ünï", "n".repeat(513), 42])("refuses %s", (n) => {
    refused(() => secretName({ Name: n }), "InvalidParameterException");
  });
});

describe("secret values", () => {
  it("takes a string or base64 binary, as bytes", () => {
    expect(secretValue({ SecretString: "é" })).toEqual({ kind: "string", bytes: Buffer.from("é") });
    expect(secretValue({ SecretBinary: "AAEC" })).toEqual({ kind: "binary", bytes: Buffer.from([0, 1, 2]) });
    expect(secretValue({})).toBeUndefined();
  });
  it("counts the limit in bytes: 65,536 pass, one more does not", () => {
    expect(secretValue({ SecretString: "a".repeat(65_536) })?.bytes).toHaveLength(65_536);
    refused(() => secretValue({ SecretString: "é".repeat(32_769) }), "InvalidParameterException", /65536 bytes/);
    refused(() => secretValue({ SecretBinary: Buffer.alloc(65_537).toString("base64") }), "InvalidParameterException");
  });
  it("refuses both at once, empty values and bad base64, never quoting the value", () => {
    refused(() => secretValue({ SecretString: "s3cret", SecretBinary: "AA==" }), "InvalidParameterException", /both/);
    refused(() => secretValue({ SecretString: "" }), "InvalidParameterException");
    try {
      secretValue({ SecretBinary: "not base64 s3cret!" });
    } catch (err) {
      expect((err as Error).message).not.toContain("s3cret");
    }
  });
});

describe("tokens, labels, tags, deletion, filters", () => {
  it("takes tokens of 32 to 64 characters", () => {
    expect(requestToken({ ClientRequestToken: "a".repeat(32) })).toHaveLength(32);
    refused(() => requestToken({ ClientRequestToken: "a".repeat(31) }), "InvalidParameterException");
    refused(() => requestToken({ ClientRequestToken: "a".repeat(65) }), "InvalidParameterException");
  });
  it("takes 1 to 20 distinct labels", () => {
    expect(versionStages({ VersionStages: ["AWSCURRENT", "BETA"] })).toEqual(["AWSCURRENT", "BETA"]);
    refused(() => versionStages({ VersionStages: [] }), "InvalidParameterException");
    refused(() => versionStages({ VersionStages: ["A", "A"] }), "InvalidParameterException");
  });
  it("checks tags", () => {
    expect(tagList([{ Key: "team", Value: "" }])).toEqual([{ Key: "team", Value: "" }]);
    refused(() => tagList([{ Key: "aws:x", Value: "v" }]), "InvalidParameterException", /reserved/);
    refused(
      () =>
        tagList([
          { Key: "k", Value: "1" },
          { Key: "k", Value: "2" },
        ]),
      "InvalidParameterException",
    );
    refused(() => tagList([{ Key: "k" }]), "InvalidParameterException");
  });
  it("takes a recovery window of 7 to 30 days (30 by default) or a forced delete, not both", () => {
    expect(deletion({})).toEqual({ force: false, days: 30 });
    expect(deletion({ RecoveryWindowInDays: 7 })).toEqual({ force: false, days: 7 });
    expect(deletion({ ForceDeleteWithoutRecovery: true })).toEqual({ force: true });
    refused(() => deletion({ RecoveryWindowInDays: 6 }), "InvalidParameterException", /between 7 and 30/);
    refused(() => deletion({ RecoveryWindowInDays: 31 }), "InvalidParameterException");
    refused(
      () => deletion({ RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }),
      "InvalidParameterException",
      /conjunction/,
    );
  });
  it("takes filters on name, description, tags and all; refuses the rest by name", () => {
    expect(filters([{ Key: "name", Values: ["prod/", "!dev"] }])).toEqual([{ key: "name", values: ["prod/", "!dev"] }]);
    refused(() => filters([{ Key: "primary-region", Values: ["x"] }]), "InvalidParameterException", /primary-region/);
    refused(() => filters([{ Key: "colour", Values: ["x"] }]), "InvalidParameterException");
    refused(() => filters([{ Key: "name", Values: [] }]), "InvalidParameterException");
    refused(() => filters([{ Key: "name", Values: ["semi;"] }]), "InvalidParameterException");
  });
  it("refuses unsupported and unknown fields by name", () => {
    refused(() => onlyKnown({ KmsKeyId: "k" }, ["Name"], ["KmsKeyId"]), "InvalidParameterException", /KmsKeyId/);
    refused(() => onlyKnown({ Colour: "k" }, ["Name"]), "InvalidParameterException", /Colour/);
  });
});
