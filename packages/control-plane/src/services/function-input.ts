// Validation of CreateFunction input against Lambda's limits. Every refusal is an
// InvalidParameterValueException naming the field; values of environment variables
// are never echoed back. The handler's syntax and the file it names depend on the
// runtime (shared/runtimes.ts says how each runtime finds its code).
import { errors, isRuntime, limits, type RuntimeEntry, runtimes, type ZipEntryInfo } from "@stratus/shared";
import { z } from "zod";
import { storableText } from "../store/pg-helpers.js";
import { LoggingConfigSchema } from "./logging-input.js";
import { recordOf } from "./record-input.js";

export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
/** Handler syntax per kind of runtime; none allows an absolute path or an empty or `..` segment. */
const HANDLER: Record<RuntimeEntry["kind"], { pattern: RegExp; hint: string }> = {
  node: {
    pattern: /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*(\.[A-Za-z0-9_$]+)+$/,
    hint: "dir/file.function (letters, digits, _ - /)",
  },
  python: {
    pattern: /^[A-Za-z0-9_-]+([/.][A-Za-z0-9_-]+)*\.[A-Za-z_][A-Za-z0-9_]*$/,
    hint: "dir/module.function (letters, digits, _ - / .)",
  },
  bootstrap: { pattern: /^\S+$/, hint: "a string without whitespace" },
};
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

/** Keys Lambda sets itself; a function may not override them. */
export const RESERVED_ENV_KEYS = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

const range = (name: string, { min, max }: { min: number; max: number }) =>
  z
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(min, `${name} must be between ${min} and ${max}`)
    .max(max, `${name} must be between ${min} and ${max}`);

/** A Description: at most 256 characters, all of which Postgres can store. */
export const descriptionSchema = z
  .string()
  .max(limits.descriptionLength, "Description must be at most 256 characters")
  .refine(storableText, "Description must not contain a NUL byte or an unpaired surrogate");

export const CreateFunctionSchema = z.object({
  FunctionName: z.string().regex(FUNCTION_NAME, "FunctionName must match [a-zA-Z0-9_-]{1,64}"),
  Runtime: z.string().refine(isRuntime, {
    message: `Runtime must be one of: ${Object.keys(runtimes).join(", ")}`,
  }),
  Role: z.string().regex(ROLE, "Role must be an IAM role ARN"),
  // Lambda's own pattern for every runtime; checkHandlerCode() adds the runtime's syntax.
  Handler: z
    .string()
    .max(128, "Handler must be at most 128 characters")
    .regex(/^\S+$/, "Handler must not be empty or contain whitespace"),
  Code: z.object({ ZipFile: z.string({ required_error: "Code.ZipFile is required" }) }),
  Description: descriptionSchema.default(""),
  Timeout: range("Timeout", limits.timeoutSeconds).default(limits.timeoutSeconds.default),
  MemorySize: range("MemorySize", limits.memoryMb).default(limits.memoryMb.default),
  EphemeralStorage: z
    .object({ Size: range("EphemeralStorage.Size", limits.ephemeralStorageMb) })
    .default({ Size: limits.ephemeralStorageMb.default }),
  Environment: z.object({ Variables: recordOf(z.string()).default({}) }).default({}),
  PackageType: z.literal("Zip", { errorMap: () => ({ message: "PackageType must be Zip" }) }).default("Zip"),
  Architectures: z
    .array(z.literal("x86_64", { errorMap: () => ({ message: "Architectures must be [x86_64]" }) }))
    .max(1)
    .default(["x86_64"]),
  Publish: z.boolean().default(false),
  TracingConfig: z
    .object({
      Mode: z.enum(["Active", "PassThrough"], {
        errorMap: () => ({ message: "TracingConfig.Mode must be Active or PassThrough" }),
      }),
    })
    .default({ Mode: "PassThrough" }),
  LoggingConfig: LoggingConfigSchema.optional(),
  /** Layer version ARNs, resolved by layers/function-layers.ts. */
  Layers: z
    .array(z.string())
    .max(limits.layersPerFunction, `Layers may name at most ${limits.layersPerFunction} layer versions`)
    .default([]),
});

export type CreateFunctionInput = z.infer<typeof CreateFunctionSchema>;

export function parseInput<S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "request";
  throw errors.invalidParameter(`Invalid value for ${field}: ${issue?.message ?? "invalid"}`);
}

export function checkEnvironment(vars: Record<string, string>): void {
  let size = 0;
  for (const [key, value] of Object.entries(vars)) {
    if (!ENV_KEY.test(key))
      throw errors.invalidParameter(`Environment variable name ${JSON.stringify(key)} is invalid`);
    if (RESERVED_ENV_KEYS.has(key)) {
      throw errors.invalidParameter(`Environment variable ${key} is reserved by the platform`);
    }
    if (!storableText(value)) {
      throw errors.invalidParameter(`Environment variable ${key} contains a NUL byte or an unpaired surrogate`);
    }
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > limits.environmentBytes) {
    throw errors.invalidParameter(`Environment variables exceed the ${limits.environmentBytes} byte limit`);
  }
}

/**
 * The files that may hold the code `handler` names in `runtime`; the zip must hold
 * one of them. Node `dir/file.fn.sub` → dir/file.{js,mjs,cjs}; Python `pkg/mod.fn`
 * or `pkg.mod.fn` → pkg/mod.py or pkg/mod/__init__.py; custom runtimes → bootstrap.
 * (`runtime` defaults to nodejs20.x for callers that do not pass it yet.)
 */
export function handlerFiles(handler: string, runtime = "nodejs20.x"): string[] {
  if (!isRuntime(runtime)) return [];
  const entry: RuntimeEntry = runtimes[runtime].entry;
  switch (entry.kind) {
    case "node": {
      const slash = handler.lastIndexOf("/");
      const dot = handler.indexOf(".", slash + 1);
      const modulePath = dot < 0 ? handler : handler.slice(0, dot);
      return entry.extensions.map((ext) => modulePath + ext);
    }
    case "python": {
      const dot = handler.lastIndexOf(".");
      const modulePath = (dot < 0 ? handler : handler.slice(0, dot)).replaceAll(".", "/");
      return [`${modulePath}.py`, `${modulePath}/__init__.py`];
    }
    case "bootstrap":
      return ["bootstrap"];
  }
}

/**
 * Refuses (InvalidParameterValueException) a handler that does not fit `runtime`'s
 * syntax, or a zip whose `entries` lack the code it names: one of handlerFiles(),
 * and for a custom runtime an executable `bootstrap` (Lambda would only report
 * these at invoke time), unless the function has layers: one of them may bring
 * /opt/bootstrap, which only the runtime can tell (Runtime.InvalidEntrypoint, as in
 * Lambda). Call it whenever the runtime, the handler, the code or the layers change.
 */
export function checkHandlerCode(
  runtime: string,
  handler: string,
  entries: readonly ZipEntryInfo[],
  hasLayers = false,
): void {
  if (!isRuntime(runtime)) throw errors.invalidParameter(`Runtime ${runtime} is not supported`);
  const { pattern, hint } = HANDLER[runtimes[runtime].entry.kind];
  if (!pattern.test(handler)) throw errors.invalidParameter(`Handler ${handler} must look like ${hint}`);
  const candidates = handlerFiles(handler, runtime);
  const found = entries.find((e) => !e.isDirectory && candidates.includes(e.name));
  if (!found && hasLayers && runtimes[runtime].entry.kind === "bootstrap") return;
  if (!found) {
    throw errors.invalidParameter(`Handler ${handler}: no ${candidates.join(" / ")} in the code`);
  }
  if (runtimes[runtime].entry.kind === "bootstrap" && (found.mode & 0o111) === 0) {
    throw errors.invalidParameter(`Runtime ${runtime}: the bootstrap file in the zip must be executable`);
  }
}
