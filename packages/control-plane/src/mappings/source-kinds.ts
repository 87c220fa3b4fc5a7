// The kinds of event source Stratus polls, told apart by the EventSourceArn, and which
// of Lambda's mapping parameters each takes. A parameter Lambda itself refuses for the
// source is refused with Lambda's message ("X is not valid for SQS event sources."); one
// Lambda takes but Stratus does not implement is refused by name as Stratus's own.
import { parseBrokerArn } from "./broker-arns.js";
import { isSqsArn } from "./sqs/sqs-endpoints.js";

export type SourceKind = "rabbitmq" | "sqs";

export function sourceKindOf(arn: string): SourceKind | undefined {
  if (parseBrokerArn(arn)) return "rabbitmq";
  if (isSqsArn(arn)) return "sqs";
  return undefined;
}

export interface ParamRules {
  /** Parameters Lambda refuses for this source. */
  invalid: readonly string[];
  /** Parameters Lambda takes for this source that Stratus does not implement. */
  unimplemented: readonly string[];
  invalidMessage: (param: string) => string;
  unimplementedMessage: (param: string) => string;
}

const STREAM_AND_KAFKA = [
  "StartingPosition",
  "StartingPositionTimestamp",
  "ParallelizationFactor",
  "DestinationConfig",
  "MaximumRecordAgeInSeconds",
  "BisectBatchOnFunctionError",
  "TumblingWindowInSeconds",
  "Topics",
  "SelfManagedEventSource",
  "SelfManagedKafkaEventSourceConfig",
  "AmazonManagedKafkaEventSourceConfig",
  "DocumentDBEventSourceConfig",
  "ProvisionedPollerConfig",
];

export const PARAM_RULES: Record<SourceKind, ParamRules> = {
  rabbitmq: {
    invalid: [],
    // Lambda refuses FunctionResponseTypes and ScalingConfig for MQ too; RabbitMQ mappings have always said so this way.
    unimplemented: [...STREAM_AND_KAFKA, "FunctionResponseTypes", "ScalingConfig", "KMSKeyArn", "MetricsConfig"],
    invalidMessage: (p) => `${p} is not valid for Amazon MQ event sources.`,
    unimplementedMessage: (p) => `${p} is not supported by Stratus for RabbitMQ event sources: remove it and try again`,
  },
  sqs: {
    invalid: [...STREAM_AND_KAFKA, "MaximumRetryAttempts", "Queues", "SourceAccessConfigurations"],
    unimplemented: ["KMSKeyArn", "MetricsConfig"],
    invalidMessage: (p) => `${p} is not valid for SQS event sources.`,
    unimplementedMessage: (p) => `${p} is not supported by Stratus for SQS event sources: remove it and try again`,
  },
};
