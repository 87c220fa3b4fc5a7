import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import {
  refuseUnsupportedCode,
  refuseUnsupportedConfiguration,
  refuseUnsupportedCreate,
} from "./unsupported-params.js";

const base = { FunctionName: "f", Runtime: "nodejs24.x", Handler: "index.handler", Code: { ZipFile: "UEs=" } };

function refusal(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(StratusError);
    expect((err as StratusError).code).toBe("InvalidParameterValueException");
    return (err as StratusError).message;
  }
}

describe("parameters Stratus does not implement", () => {
  it.each([
    ["VpcConfig", { VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: [] } }],
    ["SnapStart", { SnapStart: { ApplyOn: "PublishedVersions" } }],
    ["KMSKeyArn", { KMSKeyArn: "arn:aws:kms:us-east-1:000000000000:key/k" }],
    ["FileSystemConfigs", { FileSystemConfigs: [{ Arn: "a", LocalMountPath: "/mnt/x" }] }],
    ["CodeSigningConfigArn", { CodeSigningConfigArn: "arn:aws:lambda:us-east-1:000000000000:code-signing-config:c" }],
    ["PackageType", { PackageType: "Container" }],
    ["Code.S3Bucket", { Code: { S3Bucket: "b", S3Key: "k" } }],
  ])("CreateFunction refuses %s by name", (name, extra) => {
    expect(refusal(() => refuseUnsupportedCreate({ ...base, ...extra }))).toContain(name);
  });

  it("refuses an unknown PackageType before the schema", () => {
    const body = { FunctionName: "f", PackageType: "Container", Role: "r" };
    expect(refusal(() => refuseUnsupportedCreate(body))).toMatch(/^PackageType must be Zip or Image/);
  });

  it.each([
    ["no optional blocks", {}],
    ["Layers (served since issue 18)", { Layers: ["arn:aws:lambda:us-east-1:000000000000:layer:l:1"] }],
    ["an empty VpcConfig", { VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } }],
    ["an empty DeadLetterConfig", { DeadLetterConfig: {} }],
    [
      "DeadLetterConfig (served: dead-letter-input.ts)",
      { DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:q" } },
    ],
    ["TracingConfig (served since issue 17)", { TracingConfig: { Mode: "Active" } }],
    ["LoggingConfig Text in the default group", { LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/f" } }],
    ["TracingConfig PassThrough", { TracingConfig: { Mode: "PassThrough" } }],
    ["LoggingConfig (served since issue 17)", { LoggingConfig: { LogFormat: "JSON", LogGroup: "/custom/group" } }],
    ["SnapStart None", { SnapStart: { ApplyOn: "None" } }],
    ["an empty KMSKeyArn", { KMSKeyArn: "" }],
    ["no FileSystemConfigs", { FileSystemConfigs: [] }],
    ["PackageType Zip", { PackageType: "Zip" }],
    ["PackageType Image (served since issue 18)", { PackageType: "Image", Code: { ImageUri: "r.io/x:1" } }],
  ])("CreateFunction accepts %s", (_name, extra) => {
    expect(refusal(() => refuseUnsupportedCreate({ ...base, ...extra }))).toBeUndefined();
  });

  it("UpdateFunctionConfiguration refuses by name", () => {
    expect(refusal(() => refuseUnsupportedConfiguration({ VpcConfig: { SubnetIds: ["s"] } }, "f"))).toContain(
      "VpcConfig",
    );
    expect(refusal(() => refuseUnsupportedConfiguration({ LoggingConfig: { LogGroup: "/aws/lambda/g" } }, "f"))).toBe(
      undefined,
    );
  });

  it("UpdateFunctionCode refuses code that is not a zip in the request", () => {
    expect(refusal(() => refuseUnsupportedCode({ S3Bucket: "b", S3Key: "k" }))).toContain("S3Bucket");
    expect(refusal(() => refuseUnsupportedCode({ ImageUri: "r.io/x:1" }))).toBeUndefined();
    expect(refusal(() => refuseUnsupportedCode({ ZipFile: "UEs=" }))).toBeUndefined();
  });
});
