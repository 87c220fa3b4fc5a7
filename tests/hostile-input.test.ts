// Hostile uploads and fields: every one is refused with a 400-class Lambda error
// naming the problem, and nothing is stored (no function, no code, no version).
import { randomBytes } from "node:crypto";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  GetAccountSettingsCommand,
  LambdaServiceException,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostileZips } from "./helpers/hostile-zips.js";
import { type Stack, startStack } from "./helpers/stack.js";
import { nodeFunction } from "./helpers/zip.js";

let stack: Stack;
let zips: [string, Buffer][];
beforeAll(async () => {
  [stack, zips] = await Promise.all([startStack(), hostileZips()]);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
}, 60_000);

async function counts() {
  const res = await stack.db.query(
    `SELECT (SELECT count(*) FROM functions) AS functions, (SELECT count(*) FROM function_versions) AS versions,
            (SELECT count(*) FROM code_blobs) AS code`,
  );
  return res.rows[0];
}

async function refused(input: Partial<CreateFunctionCommandInput>): Promise<LambdaServiceException> {
  const name = `hostile-${randomBytes(4).toString("hex")}`;
  const before = await counts();
  let error: unknown;
  try {
    await stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: "arn:aws:iam::123456789012:role/r",
        Handler: "index.handler",
        Code: { ZipFile: await nodeFunction("exports.handler = async () => 1;") },
        ...input,
      } as CreateFunctionCommandInput),
    );
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(LambdaServiceException);
  const e = error as LambdaServiceException;
  expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(400);
  expect(e.$metadata.httpStatusCode).toBeLessThan(500);
  expect(await counts()).toEqual(before);
  return e;
}

describe("hostile zips", () => {
  it("refuses every one and stores nothing", async () => {
    for (const [label, zip] of zips) {
      const e = await refused({ Code: { ZipFile: zip } });
      expect(e.name, label).toBe("InvalidParameterValueException");
      expect(e.message, label).toMatch(/Code\.ZipFile|Handler/);
    }
  }, 120_000);
});

describe("a zip bomb's inflating", () => {
  it("leaves the control plane answering other calls meanwhile", async () => {
    // Some 800 ms of inflating 260 MB of zeros on the machine this was written on, and
    // a few milliseconds a call. An inflate that held the event loop would let through
    // only the calls answered before it began (the client shares this process with the
    // control plane).
    const bomb = zips.find(([label]) => label === "bomb over 250 MB unzipped")?.[1];
    const before = await counts();
    let pending = true;
    const creating = stack.lambda
      .send(
        new CreateFunctionCommand({
          FunctionName: `hostile-${randomBytes(4).toString("hex")}`,
          Runtime: "nodejs20.x",
          Role: "arn:aws:iam::123456789012:role/r",
          Handler: "index.handler",
          Code: { ZipFile: bomb },
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => err,
      )
      .finally(() => {
        pending = false;
      });
    let answeredMeanwhile = 0;
    while (pending && answeredMeanwhile < 30) {
      await stack.lambda.send(new GetAccountSettingsCommand({}));
      if (pending) answeredMeanwhile++;
    }
    const e = await creating;
    expect(e).toBeInstanceOf(LambdaServiceException);
    expect((e as LambdaServiceException).name).toBe("InvalidParameterValueException");
    expect((e as LambdaServiceException).message).toMatch(/Unzipped size exceeds/);
    expect(answeredMeanwhile).toBe(30);
    expect(await counts()).toEqual(before);
  }, 60_000);
});

describe("hostile fields", () => {
  it.each<[string, Partial<CreateFunctionCommandInput>, RegExp]>([
    ["name with ..", { FunctionName: "../a" }, /FunctionName/],
    ["name with a space", { FunctionName: "a b" }, /FunctionName/],
    ["name of 65 characters", { FunctionName: "a".repeat(65) }, /FunctionName/],
    ["name with a homoglyph", { FunctionName: "fn\u0430" }, /FunctionName/],
    ["handler injection", { Handler: "index.handler; rm -rf /" }, /Handler/],
    ["handler leaving the code directory", { Handler: "../../proc/self/environ.x" }, /Handler/],
    ["handler of 200 characters", { Handler: `${"a".repeat(195)}.handler` }, /Handler/],
    ["memory below 128", { MemorySize: 64 }, /MemorySize/],
    ["memory above 10240", { MemorySize: 20_000 }, /MemorySize/],
    ["timeout of 0", { Timeout: 0 }, /Timeout/],
    ["timeout above 900", { Timeout: 901 }, /Timeout/],
    ["ephemeral storage too small", { EphemeralStorage: { Size: 100 } }, /EphemeralStorage/],
    ["reserved env key", { Environment: { Variables: { AWS_LAMBDA_RUNTIME_API: "x" } } }, /reserved/],
    ["invalid env key", { Environment: { Variables: { "A-B": "x" } } }, /Environment variable name/],
    ["env over 4 KB", { Environment: { Variables: { BIG: "x".repeat(4200) } } }, /4096/],
    ["unknown runtime", { Runtime: "cobol85" as never }, /Runtime/],
    ["role that is not an ARN", { Role: "admin" }, /Role/],
    ["description too long", { Description: "d".repeat(257) }, /Description/],
    ["env value with a NUL byte", { Environment: { Variables: { AB: "x\0y" } } }, /NUL/],
    ["description with a NUL byte", { Description: "d\0" }, /Description/],
    ["tag value with a NUL byte", { Tags: { team: "a\0b" } }, /Tag/],
    ["tag key with a NUL byte", { Tags: { "t\0": "a" } }, /Tag/],
    ["description with an unpaired surrogate", { Description: "d\uD800" }, /Description/],
    ["env value with an unpaired surrogate", { Environment: { Variables: { AB: "\uDC00x" } } }, /surrogate/],
  ])("refuses %s", async (_label, input, message) => {
    const e = await refused(input);
    expect(e.name).toBe("InvalidParameterValueException");
    expect(e.message).toMatch(message);
  });

  it("never echoes an environment variable's value", async () => {
    const e = await refused({ Environment: { Variables: { SECRET_ONE: `s3cret${"\0"}`, "bad-key": "hunter2" } } });
    expect(e.message).not.toMatch(/s3cret|hunter2/);
  });
});
