// How a Kafka mapping's SourceAccessConfigurations become a client connection, with
// the secret formats Lambda documents: BASIC_AUTH (SASL/PLAIN), SASL_SCRAM_256_AUTH and
// SASL_SCRAM_512_AUTH hold {"username","password"}; CLIENT_CERTIFICATE_TLS_AUTH holds
// {"certificate","privateKey","privateKeyPassword"?} (PEM); SERVER_ROOT_CA_CERTIFICATE
// holds {"certificate"} (PEM). Either certificate type turns TLS on; without one the
// connection is plaintext (SASL included), see docs/EVENT-SOURCES.md.
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import type { KafkaConfig } from "../../store/mapping-types.js";
import { SourceProblem } from "../source-poller.js";
import type { KafkaConnection } from "./kafka-client.js";

const MECHANISMS = {
  BASIC_AUTH: "plain",
  SASL_SCRAM_256_AUTH: "scram-sha-256",
  SASL_SCRAM_512_AUTH: "scram-sha-512",
} as const;

async function secretJson(
  secrets: SecretsReader | undefined,
  accountId: string,
  type: string,
  arn: string,
): Promise<Record<string, unknown>> {
  if (!secrets) throw new SourceProblem("Secrets Manager is not configured on this platform (STRATUS_SECRETS_KEY).");
  let text: string;
  try {
    const value = await secrets.current(accountId, arn);
    text = value.kind === "string" ? value.string : value.binary.toString("utf8");
  } catch (err) {
    throw new SourceProblem(`Could not read the ${type} secret ${arn}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new SourceProblem(`The ${type} secret ${arn} must hold a JSON object.`);
}

function field(o: Record<string, unknown>, name: string, type: string, arn: string): string {
  const v = o[name];
  if (typeof v !== "string" || v === "") throw new SourceProblem(`The ${type} secret ${arn} has no "${name}".`);
  return v;
}

export async function kafkaConnection(
  c: KafkaConfig,
  accountId: string,
  clientId: string,
  secrets: SecretsReader | undefined,
): Promise<KafkaConnection> {
  const conn: KafkaConnection = { brokers: c.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS, clientId };
  for (const { Type, URI } of c.SourceAccessConfigurations) {
    const s = await secretJson(secrets, accountId, Type, URI);
    if (Type === "BASIC_AUTH" || Type === "SASL_SCRAM_256_AUTH" || Type === "SASL_SCRAM_512_AUTH") {
      conn.sasl = {
        mechanism: MECHANISMS[Type],
        username: field(s, "username", Type, URI),
        password: field(s, "password", Type, URI),
      };
    } else if (Type === "CLIENT_CERTIFICATE_TLS_AUTH") {
      const pass = s.privateKeyPassword;
      conn.ssl = {
        ...conn.ssl,
        cert: field(s, "certificate", Type, URI),
        key: field(s, "privateKey", Type, URI),
        ...(typeof pass === "string" && pass !== "" ? { passphrase: pass } : {}),
      };
    } else {
      conn.ssl = { ...conn.ssl, ca: field(s, "certificate", Type, URI) };
    }
  }
  return conn;
}
