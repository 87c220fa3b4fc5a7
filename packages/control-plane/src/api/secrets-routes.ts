// Secrets Manager's awsJson1_1 operations (signing name `secretsmanager`, POST / with
// X-Amz-Target: secretsmanager.<Op>) on the Stratus endpoint: only requests signed for
// Secrets Manager reach them. Bodies are parsed here and handed to the service; they
// are never logged (the request log records operation and status only).
import { type Logger, StratusError } from "@stratus/shared";
import type { Request, Router } from "express";
import type { SecretService } from "../secrets/secret-service.js";
import type { Body } from "../secrets/secrets-input.js";
import { awsJsonRouter } from "./aws-json-router.js";
import { jsonBody } from "./body.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const PREFIX = "secretsmanager.";

function body(req: Request): Body {
  let v: unknown;
  try {
    v = jsonBody(req);
  } catch {
    // The parser's message may quote the body, and the body may hold a secret.
    throw new StratusError("SerializationException", 400, "client", "The request body is not valid JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new StratusError("SerializationException", 400, "client", "The request body must be a JSON object");
  }
  return v as Body;
}

const notConfigured = () =>
  new StratusError(
    "ServiceUnavailableException",
    503,
    "platform",
    "The secrets store is not configured on this Stratus: its operator must set STRATUS_SECRETS_KEY",
  );

/** `secrets`: undefined when no platform key is configured; every operation is then refused. */
export function secretsRoutes(secrets: SecretService | undefined, log: Logger): Router {
  type Op = (account: string, b: Body) => unknown;
  const ops: Record<string, keyof SecretService> = {
    CreateSecret: "createSecret",
    GetSecretValue: "getSecretValue",
    PutSecretValue: "putSecretValue",
    UpdateSecret: "updateSecret",
    DescribeSecret: "describeSecret",
    ListSecrets: "listSecrets",
    DeleteSecret: "deleteSecret",
    RestoreSecret: "restoreSecret",
    TagResource: "tagResource",
    UntagResource: "untagResource",
    GetResourcePolicy: "getResourcePolicy",
    UpdateSecretVersionStage: "updateSecretVersionStage",
    ListSecretVersionIds: "listSecretVersionIds",
    PutResourcePolicy: "putResourcePolicy",
    DeleteResourcePolicy: "deleteResourcePolicy",
  };
  const run: Record<string, Op> = {};
  for (const [name, method] of Object.entries(ops)) {
    run[name] = (account, b) => {
      if (!secrets) throw notConfigured();
      return (secrets[method] as Op)(account, b);
    };
  }
  return awsJsonRouter(
    { signingName: "secretsmanager", targetPrefix: PREFIX, contentType: CONTENT_TYPE, ops: run, body },
    log,
  );
}
