// Validation of CreateFunction input against Lambda's limits. Every refusal is an
// InvalidParameterValueException naming the field; values of environment variables
// are never echoed back.
import { errors, isRuntime, limits, runtimes } from "@stratus/shared";
import { z } from "zod";

export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER = /^[A-Za-z0-9_\-/]+(\.[A-Za-z0-9_$]+)+$/;
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

export const CreateFunctionSchema = z.object({
  FunctionName: z.string().regex(FUNCTION_NAME, "FunctionName must match [a-zA-Z0-9_-]{1,64}"),
  Runtime: z.string().refine(isRuntime, {
    message: `Runtime must be one of: ${Object.keys(runtimes).join(", ")}`,
  }),
  Role: z.string().regex(ROLE, "Role must be an IAM role ARN"),
  Handler: z
    .string()
    .max(128, "Handler must be at most 128 characters")
    .regex(HANDLER, "Handler must look like file.function (letters, digits, _ - /)")
    .refine((h) => !h.split("/").includes(".."), "Handler must not leave the code directory"),
  Code: z.object({ ZipFile: z.string({ required_error: "Code.ZipFile is required" }) }),
  Description: z.string().max(limits.descriptionLength, "Description must be at most 256 characters").default(""),
  Timeout: range("Timeout", limits.timeoutSeconds).default(limits.timeoutSeconds.default),
  MemorySize: range("MemorySize", limits.memoryMb).default(limits.memoryMb.default),
  EphemeralStorage: z
    .object({ Size: range("EphemeralStorage.Size", limits.ephemeralStorageMb) })
    .default({ Size: limits.ephemeralStorageMb.default }),
  Environment: z.object({ Variables: z.record(z.string()).default({}) }).default({}),
  PackageType: z.literal("Zip", { errorMap: () => ({ message: "PackageType must be Zip" }) }).default("Zip"),
  Architectures: z
    .array(z.literal("x86_64", { errorMap: () => ({ message: "Architectures must be [x86_64]" }) }))
    .max(1)
    .default(["x86_64"]),
  Publish: z.boolean().default(false),
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
    if (value.includes("\0")) throw errors.invalidParameter(`Environment variable ${key} contains a NUL byte`);
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > limits.environmentBytes) {
    throw errors.invalidParameter(`Environment variables exceed the ${limits.environmentBytes} byte limit`);
  }
}

/** The files a Node handler `dir/file.fn` may live in. */
export function handlerFiles(handler: string): string[] {
  const modulePath = handler.slice(0, handler.lastIndexOf("."));
  return [".js", ".mjs", ".cjs"].map((ext) => modulePath + ext);
}
