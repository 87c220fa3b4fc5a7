// What a function container is made of: the environment it gets (the variables
// Lambda sets; platform secrets such as database, Redis or tokens never appear
// here), its creation spec, and the key of what it runs.
import { randomUUID } from "node:crypto";
import type { InvokeSpec } from "@stratus/shared";
import type { ContainerSpec, ImageInfo } from "../backend/container-backend.js";
import { logGroupOf } from "../logs/invocation-log.js";
import { ownerOf } from "./container.js";
import { functionContainerName } from "./container-names.js";

/**
 * What Lambda sets that a function may set itself, as in Lambda: these apply only
 * where the function's own environment does not set them (an empty value included).
 * Stem cells start with them too (stem-cells.ts), so that a function setting none
 * of them finds the same process on either path.
 */
export const RUNTIME_DEFAULTS: Readonly<Record<string, string>> = {
  TZ: ":UTC",
  LANG: "en_US.UTF-8",
  PATH: "/usr/local/bin:/usr/bin:/bin:/opt/bin",
  // Lambda's search path for shared libraries of the code and of its layers (/opt/lib).
  LD_LIBRARY_PATH: "/var/task/lib:/opt/lib",
};

/**
 * How an execution environment was made ready (AWS_LAMBDA_INITIALIZATION_TYPE): for an
 * invocation that found none warm, or ahead of need for a provisioned set (provisioned/).
 */
export type InitializationType = "on-demand" | "provisioned-concurrency";

/**
 * A function container's environment: the defaults above, then the function's own
 * variables, then the variables Lambda reserves (the control plane refuses a
 * function that sets one of those, and they are applied last all the same), then
 * `identity` (function-identity.ts: its endpoint and credentials).
 */
export function containerEnv(
  spec: InvokeSpec,
  runtimeApi: string,
  now = new Date(),
  identity: Record<string, string> = {},
  initialization: InitializationType = "on-demand",
): Record<string, string> {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    ...RUNTIME_DEFAULTS,
    ...spec.environment,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: "/var/task",
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(spec),
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${spec.version}]${randomUUID().replace(/-/g, "")}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: initialization,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    // LoggingConfig JSON: the runtime writes its lines as JSON records, those below the level dropped.
    ...(spec.logFormat === "JSON"
      ? { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: spec.applicationLogLevel ?? "INFO" }
      : {}),
    ...identity,
  };
}

/** Everything that must match for a warm container to serve an invocation. */
export function poolKey(spec: InvokeSpec): string {
  return [spec.accountId, spec.functionName, spec.version, spec.revisionId, spec.codeSha256Hex].join("/");
}

/** What every function container's spec says of its function: labels, name and limits. */
function functionContainer(spec: InvokeSpec, ownerLabels: Record<string, string>) {
  return {
    labels: {
      ...ownerLabels,
      "stratus.account": spec.accountId,
      "stratus.function": spec.functionName,
      "stratus.version": spec.version,
    },
    name: functionContainerName(ownerOf(spec)),
    memoryMb: spec.memoryMb,
    ephemeralStorageMb: spec.ephemeralStorageMb,
  };
}

/**
 * Creation spec of a container made from scratch for `spec`, labelled and named
 * (container-names.ts) for its function; `optDir` holds its layers (layer-sets.ts);
 * `initialization` says whether an invocation or a provisioned set asked for it.
 */
export function scratchSpec(
  spec: InvokeSpec,
  image: string,
  codeDir: string,
  optDir: string | undefined,
  network: string,
  apiAddress: string,
  ownerLabels: Record<string, string>,
  identity: Record<string, string> = {},
  initialization: InitializationType = "on-demand",
): ContainerSpec {
  return {
    image,
    env: containerEnv(spec, apiAddress, new Date(), identity, initialization),
    ...functionContainer(spec, ownerLabels),
    codeDir,
    ...(optDir ? { optDir } : {}),
    network,
    // On the cold path: join a network namespace made ahead when one is ready.
    netSandbox: true,
  };
}

/** What Lambda leaves to an image's own ENV: its image sets them (or the function's variables do). */
const IMAGE_OWNED = ["PATH", "LD_LIBRARY_PATH", "LANG", "AWS_EXECUTION_ENV", "LAMBDA_RUNTIME_DIR"];

/**
 * Creation spec of an image function's container: its image (pinned by digest) run as
 * it is, with its own ENTRYPOINT, CMD and WORKDIR unless ImageConfig replaces them,
 * and the same sandbox, limits, network and Runtime API as a zip function's. No code
 * is mounted; `_HANDLER` is the command's first element, as in Lambda. `initialization`
 * as for scratchSpec.
 */
export function imageSpec(
  spec: InvokeSpec,
  own: ImageInfo,
  network: string,
  apiAddress: string,
  ownerLabels: Record<string, string>,
  identity: Record<string, string> = {},
  initialization: InitializationType = "on-demand",
): ContainerSpec {
  const image = spec.image;
  if (!image) throw new Error(`${spec.functionName} is not an image function`);
  const command = image.command ?? own.cmd ?? [];
  const env: Record<string, string> = {
    ...containerEnv(spec, apiAddress, new Date(), identity, initialization),
    _HANDLER: command[0] ?? "",
  };
  for (const key of IMAGE_OWNED) if (!(key in spec.environment)) delete env[key];
  return {
    image: image.uri,
    env,
    ...functionContainer(spec, ownerLabels),
    ...(image.entryPoint ? { entrypoint: image.entryPoint } : {}),
    // The command is given even when unchanged: a new ENTRYPOINT would otherwise drop the image's CMD.
    args: command,
    ...(image.workingDirectory ? { workingDir: image.workingDirectory } : {}),
    network,
    netSandbox: true,
  };
}
