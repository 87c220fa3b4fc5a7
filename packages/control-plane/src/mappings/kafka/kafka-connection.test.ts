import { describe, expect, it } from "vitest";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import type { KafkaConfig } from "../../store/mapping-types.js";
import { kafkaConnection } from "./kafka-connection.js";
import { newKafkaConfig, parseKafkaCreate } from "./kafka-input.js";

const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
const secrets = (values: Record<string, unknown>): SecretsReader => ({
  async current(_account, a) {
    const name = a.split(":secret:")[1] ?? "";
    if (!(name in values)) throw new Error("Secrets Manager can't find the specified secret.");
    return { kind: "string", string: JSON.stringify(values[name]) };
  },
});
const config = (access: Array<{ Type: string; URI: string }>): KafkaConfig =>
  newKafkaConfig(
    parseKafkaCreate({
      FunctionName: "f",
      Topics: ["t"],
      StartingPosition: "LATEST",
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ["k1:9092", "k2:9092"] } },
      SourceAccessConfigurations: access,
    }),
    "u",
  );

describe("a Kafka mapping's connection", () => {
  it("is plaintext with no access configuration", async () => {
    expect(await kafkaConnection(config([]), "123456789012", "c", undefined)).toEqual({
      brokers: ["k1:9092", "k2:9092"],
      clientId: "c",
    });
  });

  it.each([
    ["BASIC_AUTH", "plain"],
    ["SASL_SCRAM_256_AUTH", "scram-sha-256"],
    ["SASL_SCRAM_512_AUTH", "scram-sha-512"],
  ])("takes %s as SASL %s from the secret", async (Type, mechanism) => {
    const c = await kafkaConnection(
      config([{ Type, URI: arn("s") }]),
      "123456789012",
      "c",
      secrets({ s: { username: "u", password: "p" } }),
    );
    expect(c.sasl).toEqual({ mechanism, username: "u", password: "p" });
    expect(c.ssl).toBeUndefined();
  });

  it("turns TLS on with a client certificate and a private CA", async () => {
    const c = await kafkaConnection(
      config([
        { Type: "CLIENT_CERTIFICATE_TLS_AUTH", URI: arn("cert") },
        { Type: "SERVER_ROOT_CA_CERTIFICATE", URI: arn("ca") },
      ]),
      "123456789012",
      "c",
      secrets({
        cert: { certificate: "CERT", privateKey: "KEY", privateKeyPassword: "pw" },
        ca: { certificate: "CA" },
      }),
    );
    expect(c.ssl).toEqual({ cert: "CERT", key: "KEY", passphrase: "pw", ca: "CA" });
  });

  it.each([
    [{}, /Could not read the BASIC_AUTH secret/],
    [{ s: { username: "u" } }, /has no "password"/],
  ])("shows a secret it cannot use as a problem", async (values, message) => {
    await expect(
      kafkaConnection(config([{ Type: "BASIC_AUTH", URI: arn("s") }]), "123456789012", "c", secrets(values)),
    ).rejects.toThrow(message);
  });

  it("needs the secrets store for credentials", async () => {
    await expect(
      kafkaConnection(config([{ Type: "BASIC_AUTH", URI: arn("s") }]), "123456789012", "c", undefined),
    ).rejects.toThrow(/STRATUS_SECRETS_KEY/);
  });
});
