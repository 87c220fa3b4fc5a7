// The input rules of CreateEventSourceMapping and UpdateEventSourceMapping for the
// sources Stratus serves (RabbitMQ first): Lambda's limits and defaults, every
// parameter Stratus does not implement for the source refused by name, and unknown
// parameters refused rather than dropped.
import { errors } from "@stratus/shared";
import { z } from "zod";
import { PatternError, parsePattern } from "../events/pattern-check.js";
import { parseInput } from "../services/function-input.js";

const SECRET_ARN = /^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=.@-]{1,512}$/;

const Access = z
  .object({
    Type: z.enum(["BASIC_AUTH", "VIRTUAL_HOST"], {
      message: "RabbitMQ mappings take SourceAccessConfigurations of Type BASIC_AUTH and VIRTUAL_HOST",
    }),
    URI: z.string().min(1).max(200),
  })
  .strict();

const Filters = z.object({ Filters: z.array(z.object({ Pattern: z.string().max(4096) }).strict()).max(5) }).strict();

const Common = {
  FunctionName: z.string().min(1).max(170),
  Enabled: z.boolean(),
  BatchSize: z.number().int().min(1).max(10_000),
  MaximumBatchingWindowInSeconds: z.number().int().min(0).max(300),
  FilterCriteria: Filters,
  SourceAccessConfigurations: z.array(Access).max(22),
  /** A Stratus extension for MQ (Lambda retries until the message expires): see docs/EVENT-SOURCES.md. */
  MaximumRetryAttempts: z.number().int().min(0).max(10_000),
};

const CreateSchema = z
  .object({
    ...Common,
    EventSourceArn: z.string().min(1).max(1024),
    Queues: z.array(z.string().min(1).max(1000)).length(1, "RabbitMQ mappings take exactly one queue"),
  })
  .partial()
  .required({ FunctionName: true })
  .strict();

const UpdateSchema = z.object(Common).partial().strict();

/** Lambda parameters not implemented for RabbitMQ sources; refused by name. */
const NOT_FOR_RABBITMQ = [
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
  "FunctionResponseTypes",
  "ScalingConfig",
  "DocumentDBEventSourceConfig",
  "KMSKeyArn",
  "MetricsConfig",
  "ProvisionedPollerConfig",
  "Tags",
];

export interface MappingConfig {
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  Queues: string[];
  SourceAccessConfigurations: Array<{ Type: "BASIC_AUTH" | "VIRTUAL_HOST"; URI: string }>;
  FilterCriteria?: { Filters: Array<{ Pattern: string }> };
  MaximumRetryAttempts: number;
}

export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_MAX_RETRIES = 2;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const inert = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

function refuseUnimplemented(body: Record<string, unknown>): void {
  for (const key of NOT_FOR_RABBITMQ) {
    if (!inert(body[key])) {
      throw errors.invalidParameter(
        `${key} is not supported by Stratus for RabbitMQ event sources: remove it and try again`,
      );
    }
  }
}

function strip(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !(NOT_FOR_RABBITMQ.includes(k) && inert(v))));
}

function checkAccess(list: MappingConfig["SourceAccessConfigurations"] | undefined): void {
  if (!list) return;
  const auth = list.filter((a) => a.Type === "BASIC_AUTH");
  const vhosts = list.filter((a) => a.Type === "VIRTUAL_HOST");
  if (auth.length !== 1) {
    throw errors.invalidParameter("RabbitMQ mappings need exactly one SourceAccessConfiguration of Type BASIC_AUTH");
  }
  if (vhosts.length > 1) throw errors.invalidParameter("At most one SourceAccessConfiguration of Type VIRTUAL_HOST");
  if (!SECRET_ARN.test(auth[0]?.URI ?? "")) {
    throw errors.invalidParameter("The BASIC_AUTH URI must be a Secrets Manager secret ARN");
  }
}

function checkFilters(f: MappingConfig["FilterCriteria"]): void {
  for (const { Pattern } of f?.Filters ?? []) {
    try {
      parsePattern(Pattern);
    } catch (err) {
      if (err instanceof PatternError)
        throw errors.invalidParameter(`Invalid filter pattern definition. ${err.message}`);
      throw err;
    }
  }
}

function body(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) throw errors.invalidParameter("The request body must be a JSON object");
  refuseUnimplemented(raw);
  return strip(raw);
}

export type CreateInput = z.output<typeof CreateSchema>;
export type UpdateInput = z.output<typeof UpdateSchema>;

export function parseCreate(raw: unknown): CreateInput & { EventSourceArn: string } {
  const input = parseInput(CreateSchema, body(raw));
  if (!input.EventSourceArn) throw errors.invalidParameter("EventSourceArn is required");
  if (!input.Queues) throw errors.invalidParameter("Queues is required for RabbitMQ event sources");
  if (!input.SourceAccessConfigurations) {
    throw errors.invalidParameter("SourceAccessConfigurations with BASIC_AUTH is required for RabbitMQ event sources");
  }
  checkAccess(input.SourceAccessConfigurations);
  checkFilters(input.FilterCriteria);
  return { ...input, EventSourceArn: input.EventSourceArn };
}

export function parseUpdate(raw: unknown): UpdateInput {
  const input = parseInput(UpdateSchema, body(raw));
  checkAccess(input.SourceAccessConfigurations);
  checkFilters(input.FilterCriteria);
  return input;
}

export function newConfig(input: CreateInput): MappingConfig {
  return {
    BatchSize: input.BatchSize ?? DEFAULT_BATCH_SIZE,
    MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
    Queues: input.Queues ?? [],
    SourceAccessConfigurations: input.SourceAccessConfigurations ?? [],
    ...(input.FilterCriteria?.Filters.length ? { FilterCriteria: input.FilterCriteria } : {}),
    MaximumRetryAttempts: input.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES,
  };
}

/** The config after an update: fields given replace, an empty FilterCriteria removes the filters. */
export function updatedConfig(c: MappingConfig, u: UpdateInput): MappingConfig {
  const { FilterCriteria: _, ...rest } = c;
  const filters = u.FilterCriteria ?? c.FilterCriteria;
  return {
    ...rest,
    ...(u.BatchSize !== undefined ? { BatchSize: u.BatchSize } : {}),
    ...(u.MaximumBatchingWindowInSeconds !== undefined
      ? { MaximumBatchingWindowInSeconds: u.MaximumBatchingWindowInSeconds }
      : {}),
    ...(u.SourceAccessConfigurations ? { SourceAccessConfigurations: u.SourceAccessConfigurations } : {}),
    ...(u.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: u.MaximumRetryAttempts } : {}),
    ...(filters?.Filters.length ? { FilterCriteria: filters } : {}),
  };
}
