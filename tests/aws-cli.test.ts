// The AWS CLI (botocore's signer and parsers, not the JS SDK) against a live stack:
// create-function with a zip file, invoke, get-function, and an error.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

const run = promisify(execFile);
const stack = useStack();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cli-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function aws(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: stack.region,
    AWS_PAGER: "",
  };
  try {
    const out = await run("aws", ["--endpoint-url", stack.endpoint, ...args], { env, cwd: dir });
    return { ...out, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
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

  it("shows Lambda's error names", async () => {
    const res = await aws("lambda", "get-function", "--function-name", "does-not-exist");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/ResourceNotFoundException/);
    expect(res.stderr).toMatch(/Function not found/);
  }, 30_000);
});
