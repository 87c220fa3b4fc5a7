// Starts the poll loop of one Kafka mapping held by this control plane: the generic
// runner (connect, backoff, batching window, LastProcessingResult) over a Kafka poller
// in the mapping's consumer group and the Kafka sender (stream retry semantics).
import type { Logger } from "@stratus/shared";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import type { InvokeService } from "../../services/invoke-service.js";
import type { KafkaConfig } from "../../store/mapping-types.js";
import { type MappingRunner, startMappingRunner } from "../mapping-runner.js";
import type { KafkaClient } from "./kafka-client.js";
import { kafkaConnection } from "./kafka-connection.js";
import { effectiveRetries, failureTopic } from "./kafka-input.js";
import { createKafkaPoller, type KafkaPoller } from "./kafka-poller.js";
import { createKafkaSender } from "./kafka-sender.js";

/** Lambda's Kafka default batching window when MaximumBatchingWindowInSeconds is 0. */
const KAFKA_DEFAULT_WINDOW_MS = 500;

export interface KafkaMapping {
  uuid: string;
  accountId: string;
  functionName: string;
  qualifier?: string;
  revision: number;
  config: KafkaConfig;
}

export function startKafkaMapping(
  m: KafkaMapping,
  report: (result: string) => Promise<void>,
  deps: { invoke: InvokeService; secrets: SecretsReader | undefined; client: KafkaClient; region: string; log: Logger },
): MappingRunner {
  const c = m.config;
  const topic = failureTopic(c);
  const sender = createKafkaSender(deps.invoke, {
    accountId: m.accountId,
    functionName: m.functionName,
    ...(m.qualifier ? { qualifier: m.qualifier } : {}),
    functionArn: `arn:aws:lambda:${deps.region}:${m.accountId}:function:${m.functionName}${m.qualifier ? `:${m.qualifier}` : ""}`,
    ...(c.FilterCriteria ? { filters: c.FilterCriteria.Filters } : {}),
    policy: {
      maxRetries: effectiveRetries(c),
      maxAgeSeconds: c.MaximumRecordAgeInSeconds,
      bisect: c.BisectBatchOnFunctionError,
    },
    ...(topic ? { failureTopic: topic } : {}),
    reportItemFailures: c.FunctionResponseTypes?.includes("ReportBatchItemFailures") ?? false,
  });
  const open = (): KafkaPoller =>
    createKafkaPoller(
      {
        bootstrapServers: c.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS,
        topic: c.Topics[0] ?? "",
        groupId: c.SelfManagedKafkaEventSourceConfig.ConsumerGroupId,
        start:
          c.StartingPosition === "AT_TIMESTAMP"
            ? { timestamp: Math.round((c.StartingPositionTimestamp ?? 0) * 1000) }
            : c.StartingPosition === "TRIM_HORIZON"
              ? "earliest"
              : "latest",
        highWater: Math.max(1000, 4 * c.BatchSize),
        onAssigned: (partitions) =>
          deps.log.info("kafka event source mapping joined its consumer group", {
            mapping: m.uuid,
            topic: c.Topics[0],
            partitions: partitions.join(","),
          }),
        connection: () => kafkaConnection(c, m.accountId, `stratus-esm-${m.uuid}`, deps.secrets),
      },
      deps.client,
    );
  return startMappingRunner(
    m.revision,
    open,
    sender,
    report,
    {
      batchSize: c.BatchSize,
      windowMs:
        c.MaximumBatchingWindowInSeconds > 0 ? c.MaximumBatchingWindowInSeconds * 1000 : KAFKA_DEFAULT_WINDOW_MS,
      idle: { baseMs: 1000, capMs: 5000 },
      errors: { baseMs: 500, capMs: 10_000 },
    },
    deps.log,
  );
}
