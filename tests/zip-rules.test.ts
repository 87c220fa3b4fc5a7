// Issue 22, on a live stack: a zip is refused at upload or it runs. The zips that
// once passed upload and then failed to unpack on every node are refused by the AWS
// CLI's and the SDK's CreateFunction alike, and nothing is created; so is a zip over
// 50 MB, with 413, though its body is under the upload's cap. Code that fails to
// unpack on the node anyway (planted in the store, past the upload's checks) is the
// function's error, with no host path, and an async event spends its attempts on it
// and is dead-lettered instead of being retried as a platform error.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaServiceException,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawZip } from "../packages/shared/src/testing/raw-zip.js";
import { deployFunction } from "./helpers/async-load.js";
import { runAwsCli } from "./helpers/aws-cli.js";
import { unpackableZips } from "./helpers/hostile-zips.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunctionOfSize } from "./helpers/zip.js";

const MB = 1024 * 1024;
const stack = useStack();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-zip-rules-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function functionsNamed(name: string): Promise<number> {
  const { rows } = await stack.db.query<{ n: string }>("SELECT count(*) AS n FROM functions WHERE name = $1", [name]);
  return Number(rows[0]?.n);
}

const aws = (...args: string[]) => runAwsCli(stack, dir, args);

const createInput = (name: string, zip: Buffer) => ({
  FunctionName: name,
  Runtime: "nodejs20.x" as const,
  Role: "arn:aws:iam::123456789012:role/r",
  Handler: "index.handler",
  Code: { ZipFile: zip },
});

/** The SDK's CreateFunction of `zip` under a new name: its refusal, once it is known that no function of that name exists. */
async function refusedCreate(prefix: string, zip: Buffer): Promise<LambdaServiceException> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  const err = await stack.lambda.send(new CreateFunctionCommand(createInput(name, zip))).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LambdaServiceException);
  expect(await functionsNamed(name)).toBe(0);
  return err as LambdaServiceException;
}

/** No host path of the node (its code cache lives in a stratus-code-* directory under tmpdir). */
function expectNoHostPath(text: string): void {
  expect(text).not.toContain(tmpdir());
  expect(text).not.toMatch(/stratus-code-|\.tmp-|\/var\/lib\/stratus/);
}

describe.each(unpackableZips())("a zip with %s", (_label, zip) => {
  it("is refused by the SDK's CreateFunction with InvalidParameterValueException, and nothing is created", async () => {
    const err = await refusedCreate("zip-sdk", zip);
    expect(err.name).toBe("InvalidParameterValueException");
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(/^Code\.ZipFile: /);
    expect(err.message).not.toContain("\0");
  });

  it("is refused by the AWS CLI's create-function with InvalidParameterValueException, and nothing is created", async () => {
    const name = `zip-cli-${randomBytes(4).toString("hex")}`;
    await writeFile(path.join(dir, `${name}.zip`), zip);
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
      `fileb://${name}.zip`,
    );
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(
      /An error occurred \(InvalidParameterValueException\) when calling the CreateFunction operation: Code\.ZipFile: /,
    );
    expect(await functionsNamed(name)).toBe(0);
    const got = await aws("lambda", "get-function", "--function-name", name);
    expect(got.stderr).toMatch(/ResourceNotFoundException/);
  });
});

describe("a zip over Lambda's 50 MB, in a body under CreateFunction's cap of 70 MB", () => {
  // As base64 (4/3 of the zip) in JSON, both fit the body cap: the zip's own limit refuses them.
  it.each([
    ["50 MB and 1 byte", 50 * MB + 1], // its base64 is no longer than 50 MB's: refused once decoded
    ["52 MB", 52 * MB], // refused by its base64's length, before decoding
  ])(
    "of %s is refused by the SDK's CreateFunction with 413 RequestTooLargeException, and nothing is stored",
    async (_size, bytes) => {
      const zip = await nodeFunctionOfSize(bytes);
      expect(zip.length).toBe(bytes);
      const err = await refusedCreate("zip-big", zip);
      expect(err.name).toBe("RequestTooLargeException");
      expect(err.$metadata.httpStatusCode).toBe(413);
      expect(err.message).toBe(`Code.ZipFile exceeds the ${50 * MB} byte limit`);
      const sha = createHash("sha256").update(zip).digest("hex");
      const { rows } = await stack.db.query("SELECT 1 FROM code_blobs WHERE sha256_hex = $1", [sha]);
      expect(rows).toEqual([]);
    },
  );
});

describe("code that fails to unpack on the node", () => {
  /** Replaces `name`'s $LATEST code with a zip the upload would refuse, straight in the store. */
  async function plantBadCode(name: string): Promise<void> {
    const [, bad] = unpackableZips()[2] as [string, Buffer];
    const sha = createHash("sha256").update(bad).digest("hex");
    await stack.db.query(
      "INSERT INTO code_blobs (sha256_hex, size, zip) VALUES ($1, $2, $3) ON CONFLICT (sha256_hex) DO NOTHING",
      [sha, bad.length, bad],
    );
    await stack.db.query(
      "UPDATE function_versions SET code_sha256_hex = $1, code_size = $2 WHERE account_id = $3 AND function_name = $4",
      [sha, bad.length, stack.credentials.accountId, name],
    );
  }

  /** Invokes `name` until the control plane's cache of its version has let the planted code through. */
  async function invokeBadCode(name: string) {
    return waitFor(
      async () => {
        const out = await stack.lambda.send(
          new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: Buffer.from("{}") }),
        );
        return out.FunctionError ? out : undefined;
      },
      30_000,
      { what: "the planted code to be invoked", intervalMs: 200 },
    );
  }

  it("is the function's error on a sync invoke, naming the bad entry and no host path", async () => {
    const name = await deployFunction(stack.lambda, "unpack-sync", "exports.handler = async () => 'ok';");
    await plantBadCode(name);
    const out = await invokeBadCode(name);
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const body = Buffer.from(out.Payload ?? new Uint8Array()).toString();
    expect(JSON.parse(body)).toEqual({
      errorType: "Runtime.InvalidCodePackage",
      errorMessage: expect.stringMatching(/could not be unpacked: .*share a name in the zip: "lib" and "lib\/x\.js"/),
    });
    expectNoHostPath(body);
    expectNoHostPath(Buffer.from(out.LogResult ?? "", "base64").toString());
  });

  it("spends an async event's attempts and dead-letters it, instead of retrying it as a platform error", async () => {
    const name = await deployFunction(stack.lambda, "unpack-async", "exports.handler = async () => 'ok';");
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 600,
      }),
    );
    await plantBadCode(name);
    await invokeBadCode(name);
    const sent = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );
    const id = sent.$metadata.requestId as string;
    const ended = await waitFor(
      async () => {
        const { rows } = await stack.db.query<{
          status: string;
          attempt: number;
          given_back: number;
          error: { errorType?: string; errorMessage?: string } | null;
        }>("SELECT status, attempt, given_back, error FROM async_invocations WHERE id = $1", [id]);
        const r = rows[0];
        return r && ["succeeded", "failed", "dead_lettered", "expired"].includes(r.status) ? r : undefined;
      },
      60_000,
      { what: "the event to end", intervalMs: 200 },
    );
    expect(ended).toMatchObject({ status: "dead_lettered", attempt: 2, given_back: 0 });
    expect(ended.error?.errorType).toBe("Runtime.InvalidCodePackage");
    expectNoHostPath(JSON.stringify(ended.error));
  });
});

describe("a zip that follows the rules", () => {
  it("still runs, empty directory and all", async () => {
    const name = `zip-ok-${randomBytes(4).toString("hex")}`;
    const zip = rawZip([
      { name: "lib/" },
      { name: "lib/x.js", content: "module.exports = 'x';" },
      { name: "data/" },
      { name: "index.js", content: "exports.handler = async () => require('./lib/x.js');" },
    ]);
    await stack.lambda.send(new CreateFunctionCommand(createInput(name, zip)));
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));
    expect(out.FunctionError).toBeUndefined();
    expect(Buffer.from(out.Payload ?? new Uint8Array()).toString()).toBe('"x"');
  });
});
