// Lambda's rules for an SQS mapping's settings that span fields, applied to the config
// a create or an update would leave, and the queue check Lambda makes at create time:
// the queue must exist and its visibility timeout must not be shorter than the
// function's timeout (else a message would come back while the function still runs).
import { errors } from "@stratus/shared";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import type { MappingConfig } from "../../store/mapping-types.js";
import { SourceProblem } from "../source-poller.js";
import { parseSqsArn, resolveSqsEndpoint, type SqsArn, type SqsEndpointEntry } from "./sqs-endpoints.js";
import { openSqsQueue } from "./sqs-queue.js";

export function checkSqsConfig(arn: SqsArn, c: MappingConfig): void {
  if (arn.queueName.endsWith(".fifo") && c.BatchSize > 10) {
    throw errors.invalidParameter("Batch size for FIFO queues must be less than or equal to 10");
  }
  if (c.BatchSize > 10 && c.MaximumBatchingWindowInSeconds < 1) {
    throw errors.invalidParameter(
      "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
    );
  }
}

export function sqsArnOf(arn: string): SqsArn {
  const parsed = parseSqsArn(arn);
  if (!parsed) throw errors.invalidParameter(`Invalid SQS queue ARN: ${arn.slice(0, 300)}`);
  return parsed;
}

/** Refuses (InvalidParameterValueException) a queue Stratus cannot reach or whose visibility timeout is too short. */
export async function checkSqsQueue(
  arn: string,
  endpoints: readonly SqsEndpointEntry[],
  secrets: SecretsReader | undefined,
  functionTimeoutSeconds: number,
): Promise<void> {
  const parsed = sqsArnOf(arn);
  const endpoint = resolveSqsEndpoint(endpoints, parsed.region, parsed.accountId);
  if (!endpoint) {
    throw errors.invalidParameter(
      `Stratus has no SQS endpoint for region ${parsed.region} and account ${parsed.accountId}: an operator names one in STRATUS_SQS_ENDPOINTS (see docs/EVENT-SOURCES.md)`,
    );
  }
  let visibility: number;
  try {
    const queue = await openSqsQueue(arn, parsed, endpoint, secrets);
    visibility = queue.visibilityTimeoutSeconds;
    queue.client.destroy();
  } catch (err) {
    if (err instanceof SourceProblem) throw errors.invalidParameter(err.message);
    throw err;
  }
  if (visibility < functionTimeoutSeconds) {
    throw errors.invalidParameter(
      `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${functionTimeoutSeconds} seconds`,
    );
  }
}
