import type { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { parseInput } from "./function-input.js";
import {
  AddLayerPermissionSchema,
  PublishLayerVersionSchema,
  principalAccount,
  refuseUnsupportedLayerInput,
} from "./layer-input.js";

const message = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect((err as StratusError).code).toBe("InvalidParameterValueException");
    return (err as StratusError).message;
  }
  return undefined;
};
const publish = (body: unknown) => parseInput(PublishLayerVersionSchema, body);
const zip = { Content: { ZipFile: "UEs=" } };

describe("PublishLayerVersion input", () => {
  it("takes Lambda's fields, with defaults", () => {
    expect(publish(zip)).toEqual({ ...zip, Description: "", CompatibleRuntimes: [], CompatibleArchitectures: [] });
    const full = {
      ...zip,
      Description: "d",
      CompatibleRuntimes: ["nodejs22.x", "python3.12", "provided.al2023", "java21"],
      CompatibleArchitectures: ["x86_64", "arm64"],
      LicenseInfo: "MIT",
    };
    expect(publish(full)).toEqual(full);
  });

  it.each<[string, unknown, string]>([
    ["no content", {}, "Content"],
    ["an unknown parameter", { ...zip, Colour: "red" }, "Colour"],
    ["an unknown content field", { Content: { ZipFile: "UEs=", Other: 1 } }, "Other"],
    ["an unknown runtime", { ...zip, CompatibleRuntimes: ["cobol85"] }, "CompatibleRuntimes"],
    ["16 runtimes", { ...zip, CompatibleRuntimes: Array(16).fill("nodejs22.x") }, "CompatibleRuntimes"],
    ["an unknown architecture", { ...zip, CompatibleArchitectures: ["sparc"] }, "CompatibleArchitectures"],
    ["a long licence", { ...zip, LicenseInfo: "x".repeat(513) }, "LicenseInfo"],
    ["a NUL in the description", { ...zip, Description: "a\u0000b" }, "Description"],
  ])("refuses %s, naming it", (_what, body, name) => {
    expect(message(() => publish(body))).toContain(name);
  });

  it.each(["S3Bucket", "S3Key", "S3ObjectVersion"])("refuses Content.%s by name", (key) => {
    expect(message(() => refuseUnsupportedLayerInput({ Content: { [key]: "x" } }))).toContain(`Content.${key}`);
  });
});

describe("AddLayerVersionPermission input", () => {
  const add = (body: unknown) => parseInput(AddLayerPermissionSchema, body);
  const ok = { StatementId: "s-1", Action: "lambda:GetLayerVersion", Principal: "210987654321" };

  it("shares with an account id, its root ARN, or everyone", () => {
    expect(add(ok)).toEqual(ok);
    expect(principalAccount("210987654321")).toBe("210987654321");
    expect(principalAccount("arn:aws:iam::210987654321:root")).toBe("210987654321");
    expect(principalAccount("*")).toBe("*");
  });

  it.each<[string, unknown, string]>([
    ["another action", { ...ok, Action: "lambda:InvokeFunction" }, "Action"],
    ["a principal that is no account", { ...ok, Principal: "bob" }, "Principal"],
    ["a bad statement id", { ...ok, StatementId: "a b" }, "StatementId"],
    ["an unknown parameter", { ...ok, Condition: {} }, "Condition"],
  ])("refuses %s", (_what, body, name) => {
    expect(message(() => add(body))).toContain(name);
  });

  it("refuses OrganizationId by name", () => {
    expect(message(() => refuseUnsupportedLayerInput({ ...ok, OrganizationId: "o-1" }))).toContain("OrganizationId");
  });
});
