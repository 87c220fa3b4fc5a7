// The AWS CLI (botocore's signer and parsers, not the JS SDK) against a live stack:
// create-function with a zip file, invoke (with and without a payload), get-function,
// parameters Stratus refuses by name, and an error.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const stack = useStack();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cli-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const aws = (...args: string[]) => runAwsCli(stack, dir, args);

/** create-function's arguments: a Node handler `index.handler` under `name`, then `more` (code included). */
function createArgs(name: string, ...more: string[]): string[] {
  return [
    "lambda",
    "create-function",
    "--function-name",
    name,
    "--runtime",
    "nodejs24.x",
    "--handler",
    "index.handler",
    "--role",
    "arn:aws:iam::123456789012:role/r",
    ...more,
  ];
}

describe("AWS CLI", () => {
  it("creates, invokes and reads a function", async () => {
    const name = `cli-${randomBytes(4).toString("hex")}`;
    const zip = await nodeFunction("exports.handler = async (e) => ({ got: e, ok: true });");
    await writeFile(path.join(dir, "fn.zip"), zip);
    const created = await aws(
      "lambda",
      "create-function",
      "--function-name",
      name,
      "--runtime",
      "nodejs20.x",
      "--handler",
      "index.handler",
      "--role",
      "arn:aws:iam::123456789012:role/r",
      "--zip-file",
      "fileb://fn.zip",
    );
    expect(created.stderr).toBe("");
    expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: name, Runtime: "nodejs20.x", State: "Active" });

    const { stdout: version } = await aws("--version");
    const binaryFlag = /aws-cli\/2/.test(version) ? ["--cli-binary-format", "raw-in-base64-out"] : [];
    const invoked = await aws(
      "lambda",
      "invoke",
      "--function-name",
      name,
      ...binaryFlag,
      "--payload",
      '{"x":1}',
      "out.json",
    );
    expect(invoked.code).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST" });
    expect(JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"))).toEqual({ got: { x: 1 }, ok: true });

    const got = await aws("lambda", "get-function-configuration", "--function-name", name);
    expect(JSON.parse(got.stdout).CodeSha256).toBe(JSON.parse(created.stdout).CodeSha256);
  }, 60_000);

  it("hands a function invoked without a payload an empty JSON object, as Lambda does", async () => {
    const name = `cli-${randomBytes(4).toString("hex")}`;
    await writeFile(path.join(dir, "echo.zip"), await nodeFunction("exports.handler = async (e) => ({ got: e });"));
    const created = await aws(...createArgs(name, "--zip-file", "fileb://echo.zip"));
    expect(created.code, created.stderr).toBe(0);
    const invoked = await aws("lambda", "invoke", "--function-name", name, "none.json");
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(dir, "none.json"), "utf8"))).toEqual({ got: {} });
  }, 60_000);

  it.each([
    [
      "--package-type Image with a runtime and handler",
      ["--package-type", "Image", "--code", "ImageUri=registry.local/fn:1"],
      /Handler or Runtime or Layer/,
    ],
    ["--layers with a name, not a layer version ARN", ["--layers", "deps"], /"deps" is not a layer version ARN/],
    [
      "--snap-start ApplyOn=PublishedVersions",
      ["--snap-start", "ApplyOn=PublishedVersions"],
      /SnapStart is not supported/,
    ],
    ["--vpc-config", ["--vpc-config", "SubnetIds=subnet-1,SecurityGroupIds=sg-1"], /VpcConfig is not supported/],
    [
      "an environment variable named __proto__",
      ["--environment", '{"Variables":{"__proto__":"x","KEEP":"1"}}'],
      /Environment variable name "__proto__" is invalid/,
    ],
  ])(
    "refuses %s by name, and creates nothing",
    async (_what, extra, message) => {
      const name = `cli-${randomBytes(4).toString("hex")}`;
      await writeFile(path.join(dir, "plain.zip"), await nodeFunction("exports.handler = async () => 1;"));
      const zipArgs = extra.includes("--package-type") ? [] : ["--zip-file", "fileb://plain.zip"];
      const res = await aws(...createArgs(name, ...zipArgs, ...extra));
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/InvalidParameterValueException/);
      expect(res.stderr).toMatch(message);
      const got = await aws("lambda", "get-function", "--function-name", name);
      expect(got.stderr).toMatch(/ResourceNotFoundException/);
    },
    60_000,
  );

  it("shows Lambda's error names", async () => {
    const res = await aws("lambda", "get-function", "--function-name", "does-not-exist");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/ResourceNotFoundException/);
    expect(res.stderr).toMatch(/Function not found/);
  }, 30_000);
});
