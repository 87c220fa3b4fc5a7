// The input rules of CreateEventSourceMapping and UpdateEventSourceMapping for the
// sources Stratus serves (RabbitMQ, SQS): Lambda's limits and defaults, every parameter
// that does not apply to the source or that Stratus does not implement for it refused
// by name (source-kinds.ts), and unknown parameters refused rather than dropped.
import { errors } from "@stratus/shared";
import { z } from "zod";
import { parseInput } from "../services/function-input.js";
import type { MappingConfig } from "../store/mapping-types.js";
import { bodyObject, CommonFields, checkFilters, inert, SECRET_ARN } from "./input-common.js";
import { PARAM_RULES, type SourceKind, sourceKindOf } from "./source-kinds.js";

const Access = z
  .object({
    Type: z.enum(["BASIC_AUTH", "VIRTUAL_HOST"], {
      message: "RabbitMQ mappings take SourceAccessConfigurations of Type BASIC_AUTH and VIRTUAL_HOST",
    }),
    URI: z.string().min(1).max(200),
  })
  .strict();

const Common = {
  ...CommonFields,
  SourceAccessConfigurations: z.array(Access).max(22),
  /** A Stratus extension for MQ (Lambda retries until the message expires): see docs/EVENT-SOURCES.md. */
  MaximumRetryAttempts: z.number().int().min(0).max(10_000),
  FunctionResponseTypes: z.array(z.enum(["ReportBatchItemFailures"])).max(1),
  /** No MaximumConcurrency: the default (docs/EVENT-SOURCES.md). */
  ScalingConfig: z.object({ MaximumConcurrency: z.number().int().min(2).max(1000).optional() }).strict(),
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

const DEFAULT_BATCH_SIZE: Record<SourceKind, number> = { rabbitmq: 100, sqs: 10 };
export const DEFAULT_MAX_RETRIES = 2;

function refuseByName(kind: SourceKind, body: Record<string, unknown>): void {
  const rules = PARAM_RULES[kind];
  for (const key of rules.invalid) if (!inert(body[key])) throw errors.invalidParameter(rules.invalidMessage(key));
  for (const key of rules.unimplemented) {
    if (!inert(body[key])) throw errors.invalidParameter(rules.unimplementedMessage(key));
  }
}

function strip(kind: SourceKind, body: Record<string, unknown>): Record<string, unknown> {
  const named = [...PARAM_RULES[kind].invalid, ...PARAM_RULES[kind].unimplemented];
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !(named.includes(k) && inert(v))));
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

function body(kind: SourceKind, raw: Record<string, unknown>): Record<string, unknown> {
  refuseByName(kind, raw);
  return strip(kind, raw);
}

export type CreateInput = z.output<typeof CreateSchema>;
export type UpdateInput = z.output<typeof UpdateSchema>;

/** A create request, its source kind told by its EventSourceArn (undefined: no source Stratus serves). */
export function parseCreate(raw: unknown): CreateInput & { EventSourceArn: string; kind: SourceKind | undefined } {
  const b = bodyObject(raw);
  const arn = typeof b.EventSourceArn === "string" ? b.EventSourceArn : "";
  const kind = sourceKindOf(arn);
  const input = parseInput(CreateSchema, kind ? body(kind, b) : b);
  if (!input.EventSourceArn) throw errors.invalidParameter("EventSourceArn is required");
  if (kind === "rabbitmq") {
    if (!input.Queues) throw errors.invalidParameter("Queues is required for RabbitMQ event sources");
    if (!input.SourceAccessConfigurations) {
      throw errors.invalidParameter(
        "SourceAccessConfigurations with BASIC_AUTH is required for RabbitMQ event sources",
      );
    }
    checkAccess(input.SourceAccessConfigurations);
  }
  checkFilters(input.FilterCriteria);
  return { ...input, EventSourceArn: input.EventSourceArn, kind };
}

export function parseUpdate(raw: unknown, kind: SourceKind): UpdateInput {
  const input = parseInput(UpdateSchema, body(kind, bodyObject(raw)));
  checkAccess(input.SourceAccessConfigurations);
  checkFilters(input.FilterCriteria);
  return input;
}

const scaling = (s: CreateInput["ScalingConfig"]) =>
  s?.MaximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: s.MaximumConcurrency } } : {};

export function newConfig(input: CreateInput, kind: SourceKind): MappingConfig {
  return {
    BatchSize: input.BatchSize ?? DEFAULT_BATCH_SIZE[kind],
    MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
    Queues: input.Queues ?? [],
    SourceAccessConfigurations: input.SourceAccessConfigurations ?? [],
    ...(input.FilterCriteria?.Filters.length ? { FilterCriteria: input.FilterCriteria } : {}),
    ...(kind === "rabbitmq" ? { MaximumRetryAttempts: input.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES } : {}),
    ...(input.FunctionResponseTypes?.length ? { FunctionResponseTypes: input.FunctionResponseTypes } : {}),
    ...scaling(input.ScalingConfig),
  };
}

/** The config after an update: fields given replace, an empty FilterCriteria removes the filters. */
export function updatedConfig(c: MappingConfig, u: UpdateInput): MappingConfig {
  const { FilterCriteria: _, FunctionResponseTypes: _t, ScalingConfig: _s, ...rest } = c;
  const filters = u.FilterCriteria ?? c.FilterCriteria;
  const types = u.FunctionResponseTypes ?? c.FunctionResponseTypes;
  return {
    ...rest,
    ...(u.BatchSize !== undefined ? { BatchSize: u.BatchSize } : {}),
    ...(u.MaximumBatchingWindowInSeconds !== undefined
      ? { MaximumBatchingWindowInSeconds: u.MaximumBatchingWindowInSeconds }
      : {}),
    ...(u.SourceAccessConfigurations ? { SourceAccessConfigurations: u.SourceAccessConfigurations } : {}),
    ...(u.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: u.MaximumRetryAttempts } : {}),
    ...(filters?.Filters.length ? { FilterCriteria: filters } : {}),
    ...(types?.length ? { FunctionResponseTypes: types } : {}),
    ...(u.ScalingConfig ? scaling(u.ScalingConfig) : _s ? { ScalingConfig: _s } : {}),
  };
}
