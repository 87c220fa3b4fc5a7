// The environment a function container gets: the variables Lambda sets, then the
// function's own. Platform secrets (database, Redis, tokens) never appear here.
import { randomUUID } from "node:crypto";
import type { InvokeSpec } from "@stratus/shared";

export function containerEnv(spec: InvokeSpec, runtimeApi: string, now = new Date()): Record<string, string> {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "/");
  return {
    ...spec.environment,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: "/var/task",
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${spec.version}]${randomUUID().replace(/-/g, "")}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    PATH: "/usr/local/bin:/usr/bin:/bin:/opt/bin",
  };
}

/** Everything that must match for a warm container to serve an invocation. */
export function poolKey(spec: InvokeSpec): string {
  return [spec.accountId, spec.functionName, spec.version, spec.revisionId, spec.codeSha256Hex].join("/");
}
