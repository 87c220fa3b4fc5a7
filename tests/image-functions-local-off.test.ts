// Local images are the operator's choice: with STRATUS_LOCAL_IMAGES unset, an ImageUri
// without a registry host is refused by name (AWS CLI and SDK), and nothing is created.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateFunctionCommand, GetFunctionCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-local-off-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("local images when the operator has not enabled them", () => {
  it("are refused by the AWS CLI's create-function, naming STRATUS_LOCAL_IMAGES", async () => {
    const name = uniqueName("offcli");
    const args = ["lambda", "create-function", "--function-name", name, "--package-type", "Image"];
    const out = await runAwsCli(stack, dir, [...args, "--code", "ImageUri=stratus/runtime:nodejs24.x", "--role", ROLE]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/InvalidParameterValueException.*STRATUS_LOCAL_IMAGES/);
    const got = await runAwsCli(stack, dir, ["lambda", "get-function", "--function-name", name]);
    expect(got.stderr).toMatch(/ResourceNotFoundException/);
  });

  it("are refused by the SDK too, for library/x:tag names", async () => {
    const name = uniqueName("offsdk");
    await expect(
      stack.lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          PackageType: "Image",
          Code: { ImageUri: "library/busybox:latest" },
          Role: ROLE,
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringMatching(/STRATUS_LOCAL_IMAGES/),
    });
    await expect(stack.lambda.send(new GetFunctionCommand({ FunctionName: name }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
