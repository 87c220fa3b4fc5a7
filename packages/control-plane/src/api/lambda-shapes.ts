// Renders domain objects in the shapes Lambda's API returns (FunctionConfiguration...).
import type { Alias, EventInvokeConfig, FunctionVersion } from "../domain.js";
import { hasImageConfig, imageConfigShape } from "../services/image-input.js";
import { functionArn } from "../services/invoke-spec.js";
import { loggingShape } from "../services/logging-input.js";

/** Lambda's timestamp format: 2019-09-24T18:25:18.318+0000 */
export function lambdaTimestamp(d: Date): string {
  return d.toISOString().replace("Z", "+0000");
}

/** `qualified`: $LATEST's ARN names it too, as ListVersionsByFunction's does. */
export function toConfiguration(fn: FunctionVersion, region: string, qualified = false) {
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(region, fn, qualified || fn.version !== "$LATEST" ? fn.version : undefined),
    ...(fn.packageType === "Zip" ? { Runtime: fn.runtime, Handler: fn.handler } : {}),
    Role: fn.role,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    LastModified: lambdaTimestamp(fn.lastModified),
    CodeSha256: Buffer.from(fn.codeSha256Hex, "hex").toString("base64"),
    Version: fn.version,
    // As Lambda: no Environment at all when there are no variables (Terraform reads an
    // empty one as a block the configuration lacks, a change on every plan).
    ...(Object.keys(fn.environment).length > 0 ? { Environment: { Variables: fn.environment } } : {}),
    ...(fn.layers.length > 0 ? { Layers: fn.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) } : {}),
    TracingConfig: { Mode: fn.tracingMode },
    ...(fn.deadLetterTarget ? { DeadLetterConfig: { TargetArn: fn.deadLetterTarget } } : {}),
    RevisionId: fn.revisionId,
    State: fn.state,
    ...(fn.stateReason ? { StateReason: fn.stateReason.message, StateReasonCode: fn.stateReason.code } : {}),
    LastUpdateStatus: fn.lastUpdate.status,
    ...(fn.lastUpdate.reason
      ? {
          LastUpdateStatusReason: fn.lastUpdate.reason.message,
          LastUpdateStatusReasonCode: fn.lastUpdate.reason.code,
        }
      : {}),
    PackageType: fn.packageType,
    ...(fn.image && hasImageConfig(fn.image.config) ? { ImageConfigResponse: imageConfigShape(fn.image.config) } : {}),
    Architectures: ["x86_64"],
    EphemeralStorage: { Size: fn.ephemeralStorageMb },
    LoggingConfig: loggingShape(fn.logging, fn.name),
  };
}

export function toAliasConfiguration(alias: Alias, region: string) {
  return {
    AliasArn: `arn:aws:lambda:${region}:${alias.accountId}:function:${alias.functionName}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(alias.additional
      ? { RoutingConfig: { AdditionalVersionWeights: { [alias.additional.version]: alias.additional.weight } } }
      : {}),
    RevisionId: alias.revisionId,
  };
}

export function toEventInvokeConfig(c: EventInvokeConfig, region: string) {
  const qualifier = c.qualifier === "$LATEST" ? "$LATEST" : c.qualifier;
  return {
    LastModified: c.lastModified.getTime() / 1000,
    FunctionArn: `arn:aws:lambda:${region}:${c.accountId}:function:${c.functionName}:${qualifier}`,
    ...(c.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.maximumEventAgeSeconds !== undefined ? { MaximumEventAgeInSeconds: c.maximumEventAgeSeconds } : {}),
    // Lambda shows both destinations, an unset one as {}.
    DestinationConfig: {
      OnSuccess: c.destinationConfig.OnSuccess ?? {},
      OnFailure: c.destinationConfig.OnFailure ?? {},
    },
  };
}
