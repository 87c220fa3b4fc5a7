// Reaching one SQS queue named by its ARN: the endpoint that serves it
// (sqs-endpoints.ts), a client signed with that endpoint's credentials, the queue's
// URL (GetQueueUrl, owner = the ARN's account) and the attributes a mapping depends
// on. Failures come back as SourceProblem, worded for LastProcessingResult.
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
  type SQSServiceException,
} from "@aws-sdk/client-sqs";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import { SourceProblem } from "../source-poller.js";
import type { SqsArn, SqsEndpoint } from "./sqs-endpoints.js";

export interface SqsQueue {
  client: SQSClient;
  url: string;
  visibilityTimeoutSeconds: number;
  /** The queue's redrive policy, if it has one (where Lambda's failed messages end up). */
  redrivePolicy?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

async function credentialsOf(endpoint: SqsEndpoint, secrets: SecretsReader | undefined) {
  const c = endpoint.credentials;
  if (c.kind === "static") return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  if (c.kind === "none") return { accessKeyId: "stratus", secretAccessKey: "stratus" };
  if (!secrets) throw new SourceProblem("Secrets Manager is not configured on this platform (STRATUS_SECRETS_KEY).");
  let text: string;
  try {
    const v = await secrets.current(c.accountId, c.secretArn);
    text = v.kind === "string" ? v.string : v.binary.toString("utf8");
  } catch (err) {
    throw new SourceProblem(`Could not read the SQS credentials secret ${c.secretArn}: ${(err as Error).message}`);
  }
  try {
    const p = JSON.parse(text) as { accessKeyId?: unknown; secretAccessKey?: unknown; sessionToken?: unknown };
    if (typeof p.accessKeyId === "string" && typeof p.secretAccessKey === "string") {
      return {
        accessKeyId: p.accessKeyId,
        secretAccessKey: p.secretAccessKey,
        ...(typeof p.sessionToken === "string" ? { sessionToken: p.sessionToken } : {}),
      };
    }
  } catch {
    // answered below
  }
  throw new SourceProblem(
    `The SQS credentials secret ${c.secretArn} must hold JSON {"accessKeyId": ..., "secretAccessKey": ...}.`,
  );
}

/** The SQS error as LastProcessingResult shows it. */
export function sqsProblem(err: unknown, arn: string, endpoint: SqsEndpoint): SourceProblem {
  if (err instanceof SourceProblem) return err;
  if (err instanceof QueueDoesNotExist || (err as SQSServiceException).name === "QueueDoesNotExist") {
    return new SourceProblem(`The queue ${arn} does not exist at ${endpoint.url}.`);
  }
  const e = err as SQSServiceException;
  const status = e.$metadata?.httpStatusCode;
  if (status === 403 || /AccessDenied|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient/.test(e.name)) {
    return new SourceProblem(`Access denied. The SQS endpoint ${endpoint.url} refused the credentials: ${e.name}.`);
  }
  return new SourceProblem(
    `Connection error. Stratus could not reach the SQS endpoint ${endpoint.url} (${String(e.message ?? e).slice(0, 200)}).`,
  );
}

/** Opens a client for `endpoint` and looks `arn`'s queue up; throws SourceProblem. */
export async function openSqsQueue(
  arn: string,
  parsed: SqsArn,
  endpoint: SqsEndpoint,
  secrets: SecretsReader | undefined,
): Promise<SqsQueue> {
  const client = new SQSClient({
    endpoint: endpoint.url,
    region: parsed.region,
    credentials: await credentialsOf(endpoint, secrets),
    // Queue URLs name hosts like sqs.<region>.<host> that need not resolve here: always the endpoint.
    useQueueUrlAsEndpoint: false,
    maxAttempts: 2,
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: 5000 },
  });
  try {
    const { QueueUrl } = await client.send(
      new GetQueueUrlCommand({ QueueName: parsed.queueName, QueueOwnerAWSAccountId: parsed.accountId }),
    );
    if (!QueueUrl) throw new SourceProblem(`The SQS endpoint ${endpoint.url} gave no URL for ${arn}.`);
    const { Attributes: a = {} } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout", "RedrivePolicy"] }),
    );
    return {
      client,
      url: QueueUrl,
      visibilityTimeoutSeconds: Number(a.VisibilityTimeout ?? 30),
      ...(a.RedrivePolicy ? { redrivePolicy: a.RedrivePolicy } : {}),
    };
  } catch (err) {
    client.destroy();
    throw sqsProblem(err, arn, endpoint);
  }
}
