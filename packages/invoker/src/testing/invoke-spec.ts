// Test support (not built into dist): an invoke spec as the control plane sends it,
// for a function named `functionName`, with `overrides` on top.
import type { InvokeSpec } from "@stratus/shared";

export function testSpec(functionName: string, overrides: Partial<InvokeSpec> = {}): InvokeSpec {
  return {
    accountId: "123456789012",
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    version: "$LATEST",
    runtime: "nodejs20.x",
    handler: "index.handler",
    memoryMb: 128,
    timeoutSeconds: 3,
    ephemeralStorageMb: 512,
    environment: {},
    codeSha256Hex: "a".repeat(64),
    layerSha256Hex: [],
    revisionId: "r1",
    region: "us-east-1",
    ...overrides,
  };
}
