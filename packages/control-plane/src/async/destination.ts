// Lambda's destination record for async invocations, the parsing of destination
// ARNs, and the delivery an outcome makes to a Lambda function of the same account.
// SQS queues (sqs/dead-letters.ts) and SNS topics (topic-publishes.ts) of the account
// get the same record as a message; other targets (EventBridge buses, another
// account's) count as undeliverable.
import { randomUUID } from "node:crypto";
import { parseTopicArn } from "../arns.js";
import type { InvokeResult } from "../services/invoke-service.js";
import type { AsyncInvocation, NewAsyncInvocation } from "../store/async-store.js";

export type DeliveryCondition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

export interface DestinationRecordInput {
  requestId: string;
  functionArn: string;
  condition: DeliveryCondition;
  /** Times the function may have run for this event: its attempts that reached an invoker node. */
  approximateInvokeCount: number;
  requestPayload: Buffer;
  executedVersion?: string;
  functionError?: string;
  responsePayload?: Buffer;
  now?: Date;
}

function jsonOrText(buf: Buffer | undefined): unknown {
  if (!buf || buf.length === 0) return null;
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    return buf.toString("utf8");
  }
}

export function destinationRecord(i: DestinationRecordInput): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: "1.0",
      timestamp: (i.now ?? new Date()).toISOString(),
      requestContext: {
        requestId: i.requestId,
        functionArn: i.functionArn,
        condition: i.condition,
        approximateInvokeCount: i.approximateInvokeCount,
      },
      requestPayload: jsonOrText(i.requestPayload),
      responseContext: {
        statusCode: 200,
        ...(i.executedVersion ? { executedVersion: i.executedVersion } : {}),
        ...(i.functionError ? { functionError: i.functionError } : {}),
      },
      responsePayload: jsonOrText(i.responsePayload),
    }),
  );
}

const FUNCTION_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** The function a destination ARN names, if it is a Lambda function of `accountId`. */
export function destinationFunction(arn: string, accountId: string): { name: string; qualifier?: string } | undefined {
  const m = FUNCTION_ARN.exec(arn);
  if (!m || m[1] !== accountId) return undefined;
  return m[3] ? { name: m[2] as string, qualifier: m[3] } : { name: m[2] as string };
}

/** Whether `arn` names an SNS topic of `accountId` (it may still not exist: SNS's relay drops what it cannot fan out). */
export const isTopicArnOf = (arn: string, accountId: string) => parseTopicArn(arn)?.accountId === accountId;

/**
 * The delivery of `inv`'s outcome to `target` (a new async invocation of the
 * destination function), or undefined when there is no target it can deliver to.
 * `invokeCount`: the event's invokes, this attempt's counted if it reached a node.
 */
export function destinationDelivery(
  inv: AsyncInvocation,
  target: string | undefined,
  condition: DeliveryCondition,
  result: InvokeResult | undefined,
  invokeCount: number,
  region: string,
): NewAsyncInvocation | undefined {
  const fn = target ? destinationFunction(target, inv.accountId) : undefined;
  if (!fn) return undefined;
  return {
    id: randomUUID(),
    accountId: inv.accountId,
    functionName: fn.name,
    ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
    payload: destinationRecord({
      requestId: inv.id,
      functionArn: `arn:aws:lambda:${region}:${inv.accountId}:function:${inv.functionName}:${inv.qualifier ?? "$LATEST"}`,
      condition,
      approximateInvokeCount: invokeCount,
      requestPayload: inv.payload,
      executedVersion: result?.executedVersion,
      functionError: result?.functionError,
      responsePayload: result?.payload,
    }),
    // A destination's own failures end in its dead-letter record, never in another destination.
    maxAttempts: 1 + 3,
    maxEventAgeSeconds: inv.maxEventAgeSeconds,
  };
}
