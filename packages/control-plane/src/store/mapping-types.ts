// An event source mapping's stored settings and State as the store keeps and returns
// them; the rules that make them (the input parsers under mappings/) and the State's
// transition table (mappings/mapping-state.ts) build on these.

/** Lambda's State of a mapping (mappings/mapping-state.ts moves it). */
export type MappingState = "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

/** A RabbitMQ or SQS mapping's settings, as the API took them (mappings/mapping-input.ts). */
export interface MappingConfig {
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  /** RabbitMQ's queue; empty for SQS. */
  Queues: string[];
  /** RabbitMQ's credentials and vhost; empty for SQS. */
  SourceAccessConfigurations: Array<{ Type: "BASIC_AUTH" | "VIRTUAL_HOST"; URI: string }>;
  FilterCriteria?: { Filters: Array<{ Pattern: string }> };
  /** RabbitMQ only (a Stratus extension); SQS leaves failures to the queue's redrive policy. */
  MaximumRetryAttempts?: number;
  FunctionResponseTypes?: Array<"ReportBatchItemFailures">;
  ScalingConfig?: { MaximumConcurrency: number };
}

export const KAFKA_ACCESS_TYPES = [
  "BASIC_AUTH",
  "SASL_SCRAM_256_AUTH",
  "SASL_SCRAM_512_AUTH",
  "CLIENT_CERTIFICATE_TLS_AUTH",
  "SERVER_ROOT_CA_CERTIFICATE",
] as const;
export type KafkaAccessType = (typeof KAFKA_ACCESS_TYPES)[number];

/** A self-managed Kafka mapping's settings, as the API took them (mappings/kafka/kafka-input.ts). */
export interface KafkaConfig {
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  Topics: string[];
  StartingPosition: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
  /** With AT_TIMESTAMP: Unix time in seconds. */
  StartingPositionTimestamp?: number;
  SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: string[] } };
  SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: string };
  SourceAccessConfigurations: Array<{ Type: KafkaAccessType; URI: string }>;
  FilterCriteria?: { Filters: Array<{ Pattern: string }> };
  /** -1: until the record succeeds (as Lambda); with an OnFailure destination -1 means 10, as Lambda. */
  MaximumRetryAttempts: number;
  /** -1: no limit. */
  MaximumRecordAgeInSeconds: number;
  BisectBatchOnFunctionError: boolean;
  DestinationConfig?: { OnFailure: { Destination: string } };
  /** ReportBatchItemFailures: a response naming a failed record commits its partition up to it and retries from it. */
  FunctionResponseTypes?: Array<"ReportBatchItemFailures">;
}
