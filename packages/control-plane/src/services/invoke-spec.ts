// What an invoker node is told of a function version to run it (the internal invoke
// protocol's spec): built from the stored version, as invoked under `qualifier`.
import type { InvokeSpec } from "@stratus/shared";
import type { FunctionVersion } from "../domain.js";
import { credentialedRole } from "../iam/execution-role.js";

export function functionArn(region: string, fn: FunctionVersion, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${fn.accountId}:function:${fn.name}${qualifier ? `:${qualifier}` : ""}`;
}

export function invokeSpecOf(fn: FunctionVersion, qualifier: string | undefined, region: string): InvokeSpec {
  return {
    accountId: fn.accountId,
    functionName: fn.name,
    functionArn: functionArn(region, fn, qualifier),
    version: fn.version,
    runtime: fn.runtime,
    handler: fn.handler,
    memoryMb: fn.memoryMb,
    timeoutSeconds: fn.timeoutSeconds,
    ephemeralStorageMb: fn.ephemeralStorageMb,
    environment: fn.environment,
    codeSha256Hex: fn.codeSha256Hex,
    layerSha256Hex: fn.layers.map((l) => l.sha256Hex),
    ...(fn.image?.resolvedUri
      ? {
          image: {
            uri: fn.image.resolvedUri,
            ...(fn.image.config.entryPoint ? { entryPoint: fn.image.config.entryPoint } : {}),
            ...(fn.image.config.command ? { command: fn.image.config.command } : {}),
            ...(fn.image.config.workingDirectory ? { workingDirectory: fn.image.config.workingDirectory } : {}),
          },
        }
      : {}),
    revisionId: fn.revisionId,
    region,
    ...(credentialedRole(fn) ? { roleArn: fn.role } : {}),
    ...(fn.logging.logGroup ? { logGroup: fn.logging.logGroup } : {}),
    ...(fn.logging.logFormat === "JSON"
      ? {
          logFormat: "JSON" as const,
          applicationLogLevel: fn.logging.applicationLogLevel,
          systemLogLevel: fn.logging.systemLogLevel,
        }
      : {}),
  };
}
