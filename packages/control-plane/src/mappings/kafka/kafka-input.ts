// The input rules of Create/UpdateEventSourceMapping for self-managed Kafka: Lambda's
// limits and defaults, every parameter Stratus does not implement for Kafka refused by
// name, and unknown parameters refused rather than dropped. A request is a Kafka one
// when it carries SelfManagedEventSource (isKafkaCreate).
import { errors } from "@stratus/shared";
import { z } from "zod";
import { parseInput } from "../../services/function-input.js";
import { KAFKA_ACCESS_TYPES, type KafkaAccessType, type KafkaConfig } from "../../store/mapping-types.js";
import { bodyObject, CommonFields, checkFilters, inert as inertValue, isObject, SECRET_ARN } from "../input-common.js";

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const SERVER = /^[a-zA-Z0-9._-]{1,253}:\d{1,5}$/;
const DESTINATION = /^kafka:\/\/([a-zA-Z0-9._-]{1,249})$/;

const AUTH_TYPES: KafkaAccessType[] = [
  "BASIC_AUTH",
  "SASL_SCRAM_256_AUTH",
  "SASL_SCRAM_512_AUTH",
  "CLIENT_CERTIFICATE_TLS_AUTH",
];

const Access = z
  .object({
    Type: z.enum(KAFKA_ACCESS_TYPES, {
      message: `Kafka mappings take SourceAccessConfigurations of Type ${KAFKA_ACCESS_TYPES.join(", ")} (VPC_SUBNET and VPC_SECURITY_GROUP are not supported by Stratus)`,
    }),
    URI: z.string().regex(SECRET_ARN, "must be a Secrets Manager secret ARN"),
  })
  .strict();

const Destination = z
  .object({
    OnFailure: z
      .object({
        Destination: z
          .string()
          .regex(
            DESTINATION,
            "Stratus takes a Kafka topic (kafka://<topic>) as a Kafka mapping's OnFailure destination",
          ),
      })
      .strict(),
  })
  .strict();

const Common = {
  ...CommonFields,
  SourceAccessConfigurations: z.array(Access).max(22),
  MaximumRetryAttempts: z.number().int().min(-1).max(10_000),
  MaximumRecordAgeInSeconds: z
    .number()
    .int()
    .min(-1)
    .max(604_800)
    .refine((n) => n === -1 || n >= 60, "must be -1 or between 60 and 604800"),
  BisectBatchOnFunctionError: z.boolean(),
  DestinationConfig: Destination,
  FunctionResponseTypes: z.array(z.enum(["ReportBatchItemFailures"])).max(1),
};

const CreateSchema = z
  .object({
    ...Common,
    Topics: z.array(z.string().regex(TOPIC, "is not a valid Kafka topic name")).length(1, "takes exactly one topic"),
    StartingPosition: z.enum(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], {
      message: "must be TRIM_HORIZON, LATEST or AT_TIMESTAMP",
    }),
    /** Unix time in seconds (the SDKs and the CLI send a timestamp as that). */
    StartingPositionTimestamp: z.number().nonnegative(),
    SelfManagedEventSource: z
      .object({
        Endpoints: z
          .object({ KAFKA_BOOTSTRAP_SERVERS: z.array(z.string().regex(SERVER, "must be host:port")).min(1).max(10) })
          .strict(),
      })
      .strict(),
    SelfManagedKafkaEventSourceConfig: z
      .object({ ConsumerGroupId: z.string().regex(/^[a-zA-Z0-9-/*:_+=.@-]{1,200}$/) })
      .partial()
      .strict(),
  })
  .partial()
  .required({ FunctionName: true, Topics: true, SelfManagedEventSource: true })
  .strict();

const UpdateSchema = z.object(Common).partial().strict();

/** Lambda parameters Stratus does not implement for Kafka sources; refused by name. */
const NOT_FOR_KAFKA = [
  "EventSourceArn",
  "Queues",
  "ParallelizationFactor",
  "TumblingWindowInSeconds",
  "ScalingConfig",
  "AmazonManagedKafkaEventSourceConfig",
  "DocumentDBEventSourceConfig",
  "KMSKeyArn",
  "MetricsConfig",
  "ProvisionedPollerConfig",
];

export type KafkaCreateInput = z.output<typeof CreateSchema>;
export type KafkaUpdateInput = z.output<typeof UpdateSchema>;

/** Kafka's SDK shapes send empty blocks (SelfManagedEventSource, DestinationConfig) for "none". */
const inert = (v: unknown) => inertValue(v, true);

/** Whether a CreateEventSourceMapping body is for a self-managed Kafka source. */
export const isKafkaCreate = (raw: unknown) => isObject(raw) && !inert(raw.SelfManagedEventSource);

function body(input: unknown): Record<string, unknown> {
  const raw = bodyObject(input);
  for (const key of NOT_FOR_KAFKA) {
    if (!inert(raw[key])) {
      throw errors.invalidParameter(
        key === "EventSourceArn"
          ? "A self-managed Kafka mapping takes SelfManagedEventSource and no EventSourceArn"
          : `${key} is not supported by Stratus for Kafka event sources: remove it and try again`,
      );
    }
  }
  const kept = Object.entries(raw).filter(([k, v]) => !(NOT_FOR_KAFKA.includes(k) && inert(v)));
  // The SDKs send an empty DestinationConfig block for "none".
  return Object.fromEntries(kept.filter(([k, v]) => !(k === "DestinationConfig" && inert(v))));
}

function checkAccess(list: KafkaConfig["SourceAccessConfigurations"] | undefined): void {
  if (!list) return;
  const auth = list.filter((a) => AUTH_TYPES.includes(a.Type));
  if (auth.length > 1) {
    throw errors.invalidParameter(
      "A Kafka mapping takes at most one authentication SourceAccessConfiguration (BASIC_AUTH, SASL_SCRAM_256_AUTH, SASL_SCRAM_512_AUTH or CLIENT_CERTIFICATE_TLS_AUTH)",
    );
  }
  if (list.filter((a) => a.Type === "SERVER_ROOT_CA_CERTIFICATE").length > 1) {
    throw errors.invalidParameter("At most one SourceAccessConfiguration of Type SERVER_ROOT_CA_CERTIFICATE");
  }
}

function checkDestination(topic: string | undefined, d: KafkaConfig["DestinationConfig"]): void {
  const to = d && DESTINATION.exec(d.OnFailure.Destination)?.[1];
  if (topic && to === topic) {
    throw errors.invalidParameter("The OnFailure destination topic must differ from the mapping's topic");
  }
}

/** AT_TIMESTAMP takes a StartingPositionTimestamp, not in the future; the other positions take none. */
function checkStart(input: KafkaCreateInput, nowMs: number): void {
  const ts = input.StartingPositionTimestamp;
  if (input.StartingPosition === "AT_TIMESTAMP") {
    if (ts === undefined) {
      throw errors.invalidParameter("StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP");
    }
    if (ts * 1000 > nowMs) throw errors.invalidParameter("StartingPositionTimestamp cannot be in the future");
  } else if (ts !== undefined) {
    throw errors.invalidParameter("StartingPositionTimestamp is only valid when StartingPosition is AT_TIMESTAMP");
  }
}

export function parseKafkaCreate(raw: unknown, now = Date.now): KafkaCreateInput {
  const input = parseInput(CreateSchema, body(raw));
  if (!input.StartingPosition) throw errors.invalidParameter("StartingPosition is required for Kafka event sources");
  checkStart(input, now());
  checkAccess(input.SourceAccessConfigurations);
  checkFilters(input.FilterCriteria);
  checkDestination(input.Topics[0], input.DestinationConfig);
  return input;
}

export function parseKafkaUpdate(raw: unknown, current: KafkaConfig): KafkaUpdateInput {
  const input = parseInput(UpdateSchema, body(raw));
  checkAccess(input.SourceAccessConfigurations);
  checkFilters(input.FilterCriteria);
  checkDestination(current.Topics[0], input.DestinationConfig);
  return input;
}

export const DEFAULT_KAFKA_BATCH_SIZE = 100;

/** A new mapping's settings; the consumer group defaults to the mapping's UUID, as Lambda's. */
export function newKafkaConfig(input: KafkaCreateInput, uuid: string): KafkaConfig {
  return {
    BatchSize: input.BatchSize ?? DEFAULT_KAFKA_BATCH_SIZE,
    MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
    Topics: input.Topics,
    StartingPosition: input.StartingPosition ?? "LATEST",
    ...(input.StartingPositionTimestamp !== undefined
      ? { StartingPositionTimestamp: input.StartingPositionTimestamp }
      : {}),
    SelfManagedEventSource: input.SelfManagedEventSource,
    SelfManagedKafkaEventSourceConfig: {
      ConsumerGroupId: input.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId ?? uuid,
    },
    SourceAccessConfigurations: input.SourceAccessConfigurations ?? [],
    ...(input.FilterCriteria?.Filters.length ? { FilterCriteria: input.FilterCriteria } : {}),
    MaximumRetryAttempts: input.MaximumRetryAttempts ?? -1,
    MaximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? -1,
    BisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? false,
    ...(input.DestinationConfig ? { DestinationConfig: input.DestinationConfig } : {}),
    ...(input.FunctionResponseTypes?.length ? { FunctionResponseTypes: input.FunctionResponseTypes } : {}),
  };
}

/** The settings after an update: fields given replace; an empty FilterCriteria removes the filters. */
export function updatedKafkaConfig(c: KafkaConfig, u: KafkaUpdateInput): KafkaConfig {
  const { FilterCriteria: _, FunctionResponseTypes: _t, ...rest } = c;
  const filters = u.FilterCriteria ?? c.FilterCriteria;
  const types = u.FunctionResponseTypes ?? c.FunctionResponseTypes;
  const given = Object.fromEntries(
    (
      [
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "SourceAccessConfigurations",
        "MaximumRetryAttempts",
        "MaximumRecordAgeInSeconds",
        "BisectBatchOnFunctionError",
        "DestinationConfig",
      ] as const
    )
      .filter((k) => u[k] !== undefined)
      .map((k) => [k, u[k]]),
  );
  return {
    ...rest,
    ...given,
    ...(filters?.Filters.length ? { FilterCriteria: filters } : {}),
    ...(types?.length ? { FunctionResponseTypes: types } : {}),
  };
}

/** Retries a failing batch gets: -1 is "until it succeeds", but 10 when failures have somewhere to go (as Lambda). */
export const effectiveRetries = (c: KafkaConfig) =>
  c.MaximumRetryAttempts === -1 && c.DestinationConfig ? 10 : c.MaximumRetryAttempts;

/** The OnFailure destination topic, if any. */
export const failureTopic = (c: KafkaConfig) => DESTINATION.exec(c.DestinationConfig?.OnFailure.Destination ?? "")?.[1];
