// Input schemas of the Lambda operations that change an existing function or its
// configuration resources: UpdateFunctionCode, UpdateFunctionConfiguration,
// PublishVersion, aliases, reserved concurrency, event-invoke configs and tags.
import { z } from "zod";
import { storableText } from "../store/pg-helpers.js";
import { CreateFunctionSchema, descriptionSchema } from "./function-input.js";
import { ImageConfigSchema, ImageUriSchema } from "./image-input.js";
import { recordOf } from "./record-input.js";

const create = CreateFunctionSchema.shape;
const revision = z.string().uuid("RevisionId must be a revision id returned by the API").optional();

export const UpdateCodeSchema = z.object({
  ZipFile: z.string({ required_error: "ZipFile is required (S3 code is not supported)" }),
  Publish: z.boolean().default(false),
  DryRun: z.boolean().default(false),
  RevisionId: revision,
  Architectures: create.Architectures.optional(),
});

export const UpdateImageCodeSchema = z.object({
  ImageUri: ImageUriSchema,
  Publish: z.boolean().default(false),
  DryRun: z.boolean().default(false),
  RevisionId: revision,
  Architectures: create.Architectures.optional(),
});

export const UpdateConfigurationSchema = z.object({
  Runtime: create.Runtime.optional(),
  Role: create.Role.optional(),
  Handler: create.Handler.optional(),
  Description: descriptionSchema.optional(),
  Timeout: create.Timeout.removeDefault().optional(),
  MemorySize: create.MemorySize.removeDefault().optional(),
  EphemeralStorage: create.EphemeralStorage.removeDefault().optional(),
  Environment: z.object({ Variables: recordOf(z.string()).default({}) }).optional(),
  Layers: create.Layers.removeDefault().optional(),
  TracingConfig: create.TracingConfig.removeDefault().optional(),
  LoggingConfig: create.LoggingConfig,
  ImageConfig: ImageConfigSchema.optional(),
  RevisionId: revision,
});

export const PublishVersionSchema = z.object({
  CodeSha256: z.string().optional(),
  Description: descriptionSchema.optional(),
  RevisionId: revision,
});

export const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;
const VERSION = /^(\$LATEST|[0-9]{1,10})$/;

const RoutingConfig = z.object({
  AdditionalVersionWeights: recordOf(
    z.number().min(0, "weights must be between 0.0 and 1.0").max(1, "weights must be between 0.0 and 1.0"),
    z.string().regex(/^[0-9]{1,10}$/, "AdditionalVersionWeights keys must be published version numbers"),
  )
    .refine((w) => Object.keys(w).length <= 1, "AdditionalVersionWeights may name at most one version")
    .default({}),
});

export const CreateAliasSchema = z.object({
  Name: z.string().regex(ALIAS_NAME, "Name must match (?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}"),
  FunctionVersion: z.string().regex(VERSION, "FunctionVersion must be $LATEST or a version number"),
  Description: descriptionSchema.default(""),
  RoutingConfig: RoutingConfig.optional(),
});

export const UpdateAliasSchema = z.object({
  FunctionVersion: z.string().regex(VERSION, "FunctionVersion must be $LATEST or a version number").optional(),
  Description: descriptionSchema.optional(),
  RoutingConfig: RoutingConfig.optional(),
  RevisionId: revision,
});

/** PutFunctionCodeSigningConfig's body: Lambda's pattern for a code signing configuration's ARN. */
export const CodeSigningConfigSchema = z.object({
  CodeSigningConfigArn: z
    .string({ required_error: "CodeSigningConfigArn is required" })
    .max(200, "CodeSigningConfigArn must be at most 200 characters")
    .regex(
      /^arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:code-signing-config:csc-[a-z0-9]{17}$/,
      "CodeSigningConfigArn must be a code signing configuration's ARN",
    ),
});

export const ConcurrencySchema = z.object({
  ReservedConcurrentExecutions: z
    .number({ required_error: "ReservedConcurrentExecutions is required" })
    .int("ReservedConcurrentExecutions must be an integer")
    .min(0, "ReservedConcurrentExecutions must be at least 0"),
});

const Destination = z.object({
  Destination: z
    .string()
    .regex(/^arn:aws[a-zA-Z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/, "Destination must be an ARN")
    .optional(),
});

/** Stratus retries async events up to three times (Lambda: two). */
export const MAX_RETRY_ATTEMPTS = 3;

export const EventInvokeConfigSchema = z.object({
  MaximumRetryAttempts: z
    .number()
    .int()
    .min(0, `MaximumRetryAttempts must be between 0 and ${MAX_RETRY_ATTEMPTS}`)
    .max(MAX_RETRY_ATTEMPTS, `MaximumRetryAttempts must be between 0 and ${MAX_RETRY_ATTEMPTS}`)
    .optional(),
  MaximumEventAgeInSeconds: z
    .number()
    .int()
    .min(60, "MaximumEventAgeInSeconds must be between 60 and 21600")
    .max(21_600, "MaximumEventAgeInSeconds must be between 60 and 21600")
    .optional(),
  DestinationConfig: z.object({ OnSuccess: Destination.optional(), OnFailure: Destination.optional() }).optional(),
});

export const TagsSchema = z.object({
  Tags: recordOf(z.string().max(256, "tag values must be at most 256 characters"))
    .refine((t) => Object.keys(t).length <= 50, "at most 50 tags")
    .refine(
      (t) => Object.keys(t).every((k) => k.length >= 1 && k.length <= 128 && !k.toLowerCase().startsWith("aws:")),
      "tag keys must be 1-128 characters and must not start with aws:",
    )
    .refine(
      (t) => Object.entries(t).every(([k, v]) => storableText(k) && storableText(v)),
      "tags must not contain NUL bytes or unpaired surrogates",
    ),
});
