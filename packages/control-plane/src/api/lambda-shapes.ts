// Renders domain objects in the shapes Lambda's API returns (FunctionConfiguration...).
import type { FunctionVersion } from "../domain.js";
import { functionArn } from "../services/invoke-service.js";

/** Lambda's timestamp format: 2019-09-24T18:25:18.318+0000 */
export function lambdaTimestamp(d: Date): string {
  return d.toISOString().replace("Z", "+0000");
}

export function toConfiguration(fn: FunctionVersion, region: string) {
  return {
    FunctionName: fn.name,
    FunctionArn: functionArn(region, fn, fn.version === "$LATEST" ? undefined : fn.version),
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memoryMb,
    LastModified: lambdaTimestamp(fn.lastModified),
    CodeSha256: Buffer.from(fn.codeSha256Hex, "hex").toString("base64"),
    Version: fn.version,
    Environment: { Variables: fn.environment },
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: fn.revisionId,
    State: fn.state,
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: ["x86_64"],
    EphemeralStorage: { Size: fn.ephemeralStorageMb },
  };
}
