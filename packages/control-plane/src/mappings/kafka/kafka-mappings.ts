// CreateEventSourceMapping and UpdateEventSourceMapping for self-managed Kafka: the
// input checked by kafka-input.ts, one mapping per function, topic and cluster (as
// Lambda refuses a second), State moved by the same transition table as every source.
import { randomUUID } from "node:crypto";
import { errors } from "@stratus/shared";
import type { FunctionRef } from "../../services/function-ref.js";
import type { Mapping, MappingStore } from "../../store/mapping-store.js";
import type { KafkaConfig } from "../../store/mapping-types.js";
import { newMapping, storeUpdate } from "../mapping-update.js";
import { newKafkaConfig, parseKafkaCreate, parseKafkaUpdate, updatedKafkaConfig } from "./kafka-input.js";

/** Consumer group members a Kafka mapping may have at once: its own lease's holder and one a poller slot. */
export const KAFKA_POLLERS = 4;

/** A Kafka mapping's leases: its own ('') and its poller slots (migration 036 gives older mappings the same). */
export const kafkaShards = () => ["", ...Array.from({ length: KAFKA_POLLERS - 1 }, (_, i) => `poller-${i + 1}`)];

type KafkaMappingRow = Extract<Mapping, { sourceKind: "kafka" }>;
type ResolveFunction = (name: string) => Promise<Pick<FunctionRef, "name" | "qualifier">>;

const sameCluster = (a: KafkaConfig, b: KafkaConfig) =>
  [...a.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS].sort().join(",") ===
  [...b.SelfManagedEventSource.Endpoints.KAFKA_BOOTSTRAP_SERVERS].sort().join(",");

export async function kafkaCreate(
  store: MappingStore,
  accountId: string,
  body: unknown,
  resolve: ResolveFunction,
  tags: Record<string, string> = {},
): Promise<Mapping> {
  const input = parseKafkaCreate(body);
  const ref = await resolve(input.FunctionName);
  const uuid = randomUUID();
  const config = newKafkaConfig(input, uuid);
  const same = await store.list(accountId, { functionName: ref.name, eventSourceArn: "", limit: 1000 });
  const twin = same.find(
    (m) =>
      m.sourceKind === "kafka" &&
      m.qualifier === ref.qualifier &&
      m.config.Topics[0] === config.Topics[0] &&
      sameCluster(m.config, config),
  );
  if (twin) {
    throw errors.conflict(
      `An event source mapping with topic (${config.Topics[0]}), bootstrap servers and function (${input.FunctionName}) already exists (UUID ${twin.uuid}).`,
    );
  }
  const mapping = newMapping(
    uuid,
    accountId,
    ref,
    { sourceKind: "kafka", config, eventSourceArn: "" },
    input.Enabled !== false,
  );
  await store.create(mapping, kafkaShards(), tags);
  return mapping;
}

export async function kafkaUpdate(
  store: MappingStore,
  m: KafkaMappingRow,
  body: unknown,
  resolve: ResolveFunction,
): Promise<Mapping> {
  const input = parseKafkaUpdate(body, m.config);
  const ref = input.FunctionName ? await resolve(input.FunctionName) : undefined;
  return storeUpdate(store, m, { ref, config: updatedKafkaConfig(m.config, input), enabled: input.Enabled });
}

/** The Kafka part of Lambda's EventSourceMappingConfiguration. */
export function kafkaShape(c: KafkaConfig) {
  return {
    Topics: c.Topics,
    StartingPosition: c.StartingPosition,
    ...(c.StartingPositionTimestamp !== undefined ? { StartingPositionTimestamp: c.StartingPositionTimestamp } : {}),
    SelfManagedEventSource: c.SelfManagedEventSource,
    SelfManagedKafkaEventSourceConfig: c.SelfManagedKafkaEventSourceConfig,
    SourceAccessConfigurations: c.SourceAccessConfigurations,
    ...(c.FilterCriteria ? { FilterCriteria: c.FilterCriteria } : {}),
    MaximumRetryAttempts: c.MaximumRetryAttempts,
    MaximumRecordAgeInSeconds: c.MaximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: c.BisectBatchOnFunctionError,
    DestinationConfig: c.DestinationConfig ?? { OnFailure: {} },
    FunctionResponseTypes: c.FunctionResponseTypes ?? [],
  };
}
