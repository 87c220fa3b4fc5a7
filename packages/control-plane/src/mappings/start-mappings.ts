// Event source mappings' part of a control plane, built in one place: the stores, the
// service behind the API, and the worker that polls the mappings this control plane
// holds the leases of, each through its source's poller and one batch sender
// (RabbitMQ here, SQS in sqs/start-sqs-mapping.ts).
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { SecretsReader } from "../secrets/secrets-reader.js";
import type { InvokeService } from "../services/invoke-service.js";
import { type BrokerStore, createPgBrokerStore } from "../store/broker-store.js";
import { createPgMappingStore, type Mapping } from "../store/mapping-store.js";
import { createBatchSender } from "./batch-sender.js";
import { parseBrokerArn } from "./broker-arns.js";
import { createKafkajsClient } from "./kafka/kafkajs-client.js";
import { startKafkaMapping } from "./kafka/start-kafka.js";
import { DEFAULT_MAX_RETRIES } from "./mapping-input.js";
import { startMappingRunner } from "./mapping-runner.js";
import { createMappingService, type MappingService } from "./mapping-service.js";
import { startMappingWorker } from "./mapping-worker.js";
import { createRmqPoller } from "./rabbitmq/rmq-poller.js";
import { SourceProblem } from "./source-poller.js";
import type { SqsEndpointEntry } from "./sqs/sqs-endpoints.js";
import { checkSqsQueue } from "./sqs/sqs-input.js";
import { startSqsMapping } from "./sqs/start-sqs-mapping.js";

export interface Mappings {
  service: MappingService;
  brokers: BrokerStore;
  stop(): Promise<void>;
}

/** Lambda's MQ default batching window when MaximumBatchingWindowInSeconds is 0. */
const MQ_DEFAULT_WINDOW_MS = 500;

export function startMappings(
  pool: Pool,
  invoke: InvokeService,
  secrets: SecretsReader | undefined,
  opts: {
    dbStatementTimeoutMs: number;
    esm: { leaseMs: number; maxMappings: number };
    sqsEndpoints?: readonly SqsEndpointEntry[];
    region: string;
    log: Logger;
  },
): Mappings {
  const store = createPgMappingStore(pool, opts.dbStatementTimeoutMs);
  const brokers = createPgBrokerStore(pool, opts.dbStatementTimeoutMs);
  const endpoints = opts.sqsEndpoints ?? [];
  const service = createMappingService(store, brokers, invoke, (arn, timeout) =>
    checkSqsQueue(arn, endpoints, secrets, timeout),
  );

  const kafka = createKafkajsClient();

  const start = (m: Mapping, report: (result: string) => Promise<void>) => {
    if (m.sourceKind === "sqs") return startSqsMapping(m, report, { invoke, secrets, endpoints, log: opts.log });
    if (m.sourceKind === "kafka") {
      return startKafkaMapping(m, report, { invoke, secrets, client: kafka, region: opts.region, log: opts.log });
    }
    const c = m.config;
    const vhost = c.SourceAccessConfigurations.find((a) => a.Type === "VIRTUAL_HOST")?.URI ?? "/";
    const secretArn = c.SourceAccessConfigurations.find((a) => a.Type === "BASIC_AUTH")?.URI ?? "";
    const arn = parseBrokerArn(m.eventSourceArn);
    const source = {
      accountId: m.accountId,
      eventSourceArn: m.eventSourceArn,
      // Looked up at each connect: an operator may register the broker again elsewhere.
      brokerUrl: async () => {
        const broker = arn && (await brokers.find(m.accountId, arn.name));
        if (!broker || broker.brokerId !== arn?.brokerId) {
          throw new SourceProblem(`The broker ${m.eventSourceArn} is not registered any more.`);
        }
        return broker.url;
      },
      queue: c.Queues[0] ?? "",
      vhost,
      secretArn,
      prefetch: c.BatchSize,
    };
    const sender = createBatchSender(invoke, {
      accountId: m.accountId,
      functionName: m.functionName,
      ...(m.qualifier ? { qualifier: m.qualifier } : {}),
      maxRetries: c.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
      ...(c.FilterCriteria ? { filters: c.FilterCriteria.Filters } : {}),
    });
    return startMappingRunner(
      m.revision,
      () => createRmqPoller(source, secrets),
      sender,
      report,
      {
        batchSize: c.BatchSize,
        windowMs: c.MaximumBatchingWindowInSeconds > 0 ? c.MaximumBatchingWindowInSeconds * 1000 : MQ_DEFAULT_WINDOW_MS,
        idle: { baseMs: 1000, capMs: 20_000 },
        errors: { baseMs: 500, capMs: 10_000 },
      },
      opts.log,
    );
  };

  const worker = opts.esm.maxMappings > 0 ? startMappingWorker(store, start, opts.esm, opts.log) : undefined;
  return { service, brokers, stop: async () => worker?.stop() };
}
