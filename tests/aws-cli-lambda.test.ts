// The AWS CLI (botocore's parsers, not the JS SDK) on Lambda's control plane past create
// and invoke: versions and weighted aliases invoked by qualifier, reserved concurrency and
// account settings, tags, event-invoke configs, function URL configs and an SQS event
// source mapping (its queue on fauxqs), each change read back, and Lambda's refusals.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { cliCommands } from "./helpers/aws-cli-commands.js";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";
import { nodeFunction } from "./helpers/zip.js";

let fauxqs: FauxqsServer;
let dir: string;
let binaryFlag: string[] = [];
const cpEnv: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cli-lambda-"));
  fauxqs = await startFauxqs({ port: 0, logger: false });
  // The stack below reads this when it starts (its beforeAll runs after this one).
  const entry = { Region: "*", Account: "*", Url: fauxqs.address, AccessKeyId: "test", SecretAccessKey: "test" };
  cpEnv.STRATUS_SQS_ENDPOINTS = JSON.stringify([entry]);
});
const stack = useStack({}, { controlPlaneEnv: cpEnv });

/** One attempt only: a throttled call fails at once instead of being retried. */
const aws = (...args: string[]) => runAwsCli(stack, dir, args, { AWS_MAX_ATTEMPTS: "1" });

beforeAll(async () => {
  const { stdout } = await aws("--version");
  binaryFlag = /aws-cli\/2/.test(stdout) ? ["--cli-binary-format", "raw-in-base64-out"] : [];
});

afterAll(async () => {
  await fauxqs?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const { json: lambda, silent, failure } = cliCommands(aws, "lambda");

const arnOf = (name: string, qualifier?: string) =>
  `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;

/** Writes a zip of a Node function that answers `answer`; its fileb:// argument. */
async function zipAnswering(answer: string): Promise<string> {
  const file = `${uniqueName("fn")}.zip`;
  await writeFile(path.join(dir, file), await nodeFunction(`exports.handler = async () => "${answer}";`));
  return `fileb://${file}`;
}

/** A function answering `answer`, created through the CLI; its name. */
async function createFunction(answer: string): Promise<string> {
  const name = uniqueName("cli");
  const code = await zipAnswering(answer);
  await lambda(
    ...["create-function", "--function-name", name, "--runtime", "nodejs22.x", "--handler", "index.handler"],
    ...["--role", ROLE, "--zip-file", code],
  );
  return name;
}

/** Invokes `name` at `qualifier`: the version that ran and the function's answer. */
async function invoke(name: string, qualifier: string) {
  const out = await lambda<{ ExecutedVersion: string }>(
    ...["invoke", "--function-name", name, "--qualifier", qualifier, ...binaryFlag, "out.json"],
  );
  return { executed: out.ExecutedVersion, answer: JSON.parse(await readFile(path.join(dir, "out.json"), "utf8")) };
}

/** A new queue on fauxqs, made with the CLI's own SQS commands: its ARN. */
async function makeQueue(): Promise<string> {
  const target = {
    endpoint: fauxqs.address,
    region: stack.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const sqs = async (...args: string[]) => {
    const r = await runAwsCli(target, dir, ["sqs", ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  const { QueueUrl } = await sqs("create-queue", "--queue-name", uniqueName("cli-q"));
  const { Attributes } = await sqs("get-queue-attributes", "--queue-url", QueueUrl, "--attribute-names", "QueueArn");
  return Attributes.QueueArn;
}

type Versions = { Versions: { Version: string; FunctionArn: string }[] };
type Aliases = { Aliases: { Name: string }[] };

describe("AWS CLI: versions and aliases", () => {
  it("publishes versions, routes an alias by weight, invokes by qualifier and deletes a version", async () => {
    const name = await createFunction("v1");
    const v1 = await lambda("publish-version", "--function-name", name, "--description", "first");
    expect(v1).toMatchObject({ Version: "1", FunctionArn: arnOf(name, "1"), Description: "first" });
    const v2 = await lambda(
      ...["update-function-code", "--function-name", name, "--zip-file", await zipAnswering("v2"), "--publish"],
    );
    expect(v2).toMatchObject({ Version: "2", FunctionArn: arnOf(name, "2") });
    expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
    // One version a page: the CLI follows NextMarker to the end.
    const versions = await lambda<Versions>("list-versions-by-function", "--function-name", name, "--page-size", "1");
    expect(versions.Versions.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);
    // Each version's ARN names it, $LATEST's too.
    expect(versions.Versions.map((v) => v.FunctionArn)).toEqual(["$LATEST", "1", "2"].map((q) => arnOf(name, q)));

    const weights = { AdditionalVersionWeights: { "2": 0.25 } };
    const live = await lambda(
      ...["create-alias", "--function-name", name, "--name", "live", "--function-version", "1"],
      ...["--routing-config", JSON.stringify(weights)],
    );
    expect(live).toMatchObject({ AliasArn: arnOf(name, "live"), FunctionVersion: "1", RoutingConfig: weights });
    expect(await lambda("get-alias", "--function-name", name, "--name", "live")).toEqual(live);
    const routed = await invoke(name, "live");
    expect(routed.answer).toBe(`v${routed.executed}`);

    await lambda("create-alias", "--function-name", name, "--name", "stable", "--function-version", "2");
    const onV1 = await lambda<Aliases>("list-aliases", "--function-name", name, "--function-version", "1");
    expect(onV1.Aliases.map((a) => a.Name)).toEqual(["live"]);
    const all = await lambda<Aliases>("list-aliases", "--function-name", name, "--page-size", "1");
    expect(all.Aliases.map((a) => a.Name).sort()).toEqual(["live", "stable"]);

    const moved = await lambda(
      ...["update-alias", "--function-name", name, "--name", "live", "--function-version", "2"],
      ...["--routing-config", '{"AdditionalVersionWeights":{}}', "--description", "all on 2"],
    );
    expect(moved).toMatchObject({ FunctionVersion: "2", Description: "all on 2" });
    expect(moved).not.toHaveProperty("RoutingConfig");
    expect(moved.RevisionId).not.toBe(live.RevisionId);
    expect(await lambda("get-alias", "--function-name", name, "--name", "live")).toEqual(moved);
    expect(await invoke(name, "live")).toEqual({ executed: "2", answer: "v2" });
    expect(await invoke(name, "1")).toEqual({ executed: "1", answer: "v1" });

    expect(await failure("delete-function", "--function-name", name, "--qualifier", "2")).toMatch(
      /\(ResourceConflictException\).*aliases reference it: \[live, stable\]/,
    );
    await silent("delete-alias", "--function-name", name, "--name", "live");
    expect(await failure("get-alias", "--function-name", name, "--name", "live")).toMatch(
      /\(ResourceNotFoundException\).*Alias not found/,
    );
    // DeleteFunction's output in botocore's model is the HTTP status alone.
    expect(await lambda("delete-function", "--function-name", name, "--qualifier", "1")).toEqual({ StatusCode: 204 });
    expect(await failure("get-function", "--function-name", name, "--qualifier", "1")).toMatch(
      new RegExp(`\\(ResourceNotFoundException\\).*function:${name}:1$`, "m"),
    );
    const left = await lambda<Versions>("list-versions-by-function", "--function-name", name);
    expect(left.Versions.map((v) => v.Version)).toEqual(["$LATEST", "2"]);
  }, 90_000);

  it("refuses an alias of a missing version, and reading a missing alias", async () => {
    const name = await createFunction("x");
    expect(await failure("create-alias", "--function-name", name, "--name", "dev", "--function-version", "7")).toMatch(
      new RegExp(`\\(ResourceNotFoundException\\).*function:${name}:7$`, "m"),
    );
    expect(await failure("get-alias", "--function-name", name, "--name", "dev")).toMatch(
      /\(ResourceNotFoundException\).*Alias not found/,
    );
    expect(await lambda("list-aliases", "--function-name", name)).toEqual({ Aliases: [] });
  });
});

describe("AWS CLI: concurrency, account settings and tags", () => {
  type Settings = { AccountLimit: { UnreservedConcurrentExecutions: number }; AccountUsage: { FunctionCount: number } };

  it("reserves concurrency within what the account leaves unreserved; 0 throttles", async () => {
    const name = await createFunction("ran");
    const before = await lambda<Settings>("get-account-settings");
    expect(before.AccountLimit).toMatchObject({
      TotalCodeSize: 75 * 1024 ** 3,
      CodeSizeZipped: 50 * 1024 ** 2,
      CodeSizeUnzipped: 250 * 1024 ** 2,
      ConcurrentExecutions: 1000,
    });
    const listed = await lambda<{ Functions: unknown[] }>("list-functions");
    expect(before.AccountUsage.FunctionCount).toBe(listed.Functions.length);
    const unreserved = before.AccountLimit.UnreservedConcurrentExecutions;

    await silent("get-function-concurrency", "--function-name", name);
    const reserve = (n: number) => [
      "put-function-concurrency",
      "--function-name",
      name,
      "--reserved-concurrent-executions",
      String(n),
    ];
    expect(await lambda(...reserve(5))).toEqual({ ReservedConcurrentExecutions: 5 });
    expect(await lambda("get-function-concurrency", "--function-name", name)).toEqual({
      ReservedConcurrentExecutions: 5,
    });
    const after = await lambda<Settings>("get-account-settings");
    expect(after.AccountLimit.UnreservedConcurrentExecutions).toBe(unreserved - 5);

    // Lambda keeps 100 unreserved: a reservation that would leave 99 is refused, and changes nothing.
    expect(await failure(...reserve(unreserved - 99))).toMatch(
      /\(InvalidParameterValueException\).*below its minimum value of \[100\]/,
    );
    expect(await lambda("get-function-concurrency", "--function-name", name)).toEqual({
      ReservedConcurrentExecutions: 5,
    });

    await lambda(...reserve(0));
    expect(await failure("invoke", "--function-name", name, ...binaryFlag, "throttled.json")).toMatch(
      /\(TooManyRequestsException\).*Rate Exceeded/,
    );
    await silent("delete-function-concurrency", "--function-name", name);
    await silent("get-function-concurrency", "--function-name", name);
    expect(await invoke(name, "$LATEST")).toEqual({ executed: "$LATEST", answer: "ran" });
  });

  it("tags a function, lists and removes its tags; a version takes none", async () => {
    const name = await createFunction("t");
    const arn = arnOf(name);
    await silent("tag-resource", "--resource", arn, "--tags", "team=core,env=dev,__proto__=kept");
    // A __proto__ key is a tag like any other: stored and listed as sent.
    expect(await lambda("list-tags", "--resource", arn)).toEqual(
      JSON.parse('{"Tags":{"team":"core","env":"dev","__proto__":"kept"}}'),
    );
    await silent("untag-resource", "--resource", arn, "--tag-keys", "env", "__proto__");
    expect(await lambda("list-tags", "--resource", arn)).toEqual({ Tags: { team: "core" } });
    expect((await lambda("get-function", "--function-name", name)).Tags).toEqual({ team: "core" });
    expect(await failure("tag-resource", "--resource", arnOf(name, "$LATEST"), "--tags", "a=b")).toMatch(
      /\(InvalidParameterValueException\).*not to versions or aliases/,
    );
  });

  it("reads a function's code signing configuration as none, refuses to attach one, and detaches none", async () => {
    const name = await createFunction("c");
    // What Terraform's aws_lambda_function reads after every create and refresh.
    expect(await lambda("get-function-code-signing-config", "--function-name", arnOf(name))).toEqual({
      CodeSigningConfigArn: "",
      FunctionName: name,
    });
    const csc = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:code-signing-config:csc-0123456789abcdef0`;
    const attach = (fn: string, arn: string) =>
      failure("put-function-code-signing-config", "--function-name", fn, "--code-signing-config-arn", arn);
    expect(await attach(name, csc)).toMatch(
      /\(InvalidParameterValueException\).*CodeSigningConfigArn is not supported/,
    );
    expect(await attach(name, "csc-1")).toMatch(/\(InvalidParameterValueException\).*code signing configuration's ARN/);
    expect(await attach(uniqueName("missing"), csc)).toMatch(/\(ResourceNotFoundException\).*Function not found/);
    await silent("delete-function-code-signing-config", "--function-name", name);
    expect((await lambda("get-function-code-signing-config", "--function-name", name)).CodeSigningConfigArn).toBe("");
    expect(await failure("get-function-code-signing-config", "--function-name", uniqueName("missing"))).toMatch(
      /\(ResourceNotFoundException\).*Function not found/,
    );
    expect(await failure("delete-function-code-signing-config", "--function-name", uniqueName("missing"))).toMatch(
      /\(ResourceNotFoundException\).*Function not found/,
    );
  });
});

describe("AWS CLI: event-invoke configs and function URLs", () => {
  type Eic = Record<string, unknown> & { FunctionArn: string };

  it("puts (replacing), updates (merging), lists and deletes event-invoke configs", async () => {
    const name = await createFunction("e");
    await lambda("publish-version", "--function-name", name);
    const onSuccess = { OnSuccess: { Destination: arnOf(await createFunction("next")) } };
    const put = await lambda(
      ...["put-function-event-invoke-config", "--function-name", name, "--maximum-retry-attempts", "1"],
      ...["--maximum-event-age-in-seconds", "300", "--destination-config", JSON.stringify(onSuccess)],
    );
    expect(put).toMatchObject({
      FunctionArn: arnOf(name, "$LATEST"),
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 300,
    });
    // Lambda shows both destinations, the unset one empty.
    expect(put.DestinationConfig).toEqual({ ...onSuccess, OnFailure: {} });
    const updated = await lambda(
      "update-function-event-invoke-config",
      ...["--function-name", name, "--maximum-retry-attempts", "0"],
    );
    expect(updated).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: onSuccess,
    });
    expect(await lambda("get-function-event-invoke-config", "--function-name", name)).toEqual(updated);

    const onV1 = await lambda<Eic>(
      "put-function-event-invoke-config",
      ...["--function-name", name, "--qualifier", "1", "--maximum-event-age-in-seconds", "120"],
    );
    expect(onV1).toMatchObject({ FunctionArn: arnOf(name, "1"), MaximumEventAgeInSeconds: 120 });
    expect(onV1).not.toHaveProperty("MaximumRetryAttempts");
    expect(onV1.DestinationConfig).toEqual({ OnSuccess: {}, OnFailure: {} });
    // One config a page: the CLI follows NextMarker to the end.
    const listed = await lambda<{ FunctionEventInvokeConfigs: Eic[] }>(
      ...["list-function-event-invoke-configs", "--function-name", name, "--page-size", "1"],
    );
    expect(listed.FunctionEventInvokeConfigs.map((c) => c.FunctionArn).sort()).toEqual(
      [arnOf(name, "$LATEST"), arnOf(name, "1")].sort(),
    );

    await silent("delete-function-event-invoke-config", "--function-name", name);
    expect(await failure("get-function-event-invoke-config", "--function-name", name)).toMatch(
      /\(ResourceNotFoundException\).*doesn't have an EventInvokeConfig/,
    );
    expect(await lambda("list-function-event-invoke-configs", "--function-name", name)).toEqual({
      FunctionEventInvokeConfigs: [onV1],
    });
  });

  it("updates, lists and deletes a function URL config", async () => {
    const name = await createFunction("u");
    const created = await lambda("create-function-url-config", "--function-name", name, "--auth-type", "NONE");
    const updated = await lambda(
      ...["update-function-url-config", "--function-name", name, "--auth-type", "AWS_IAM"],
      ...["--cors", '{"AllowOrigins":["https://example.com"],"MaxAge":60}'],
    );
    expect(updated).toMatchObject({
      FunctionUrl: created.FunctionUrl,
      FunctionArn: arnOf(name),
      AuthType: "AWS_IAM",
      Cors: { AllowOrigins: ["https://example.com"], MaxAge: 60 },
      CreationTime: created.CreationTime,
    });
    expect(await lambda("list-function-url-configs", "--function-name", name)).toEqual({
      FunctionUrlConfigs: [updated],
    });
    await silent("delete-function-url-config", "--function-name", name);
    expect(await lambda("list-function-url-configs", "--function-name", name)).toEqual({ FunctionUrlConfigs: [] });
    expect(await failure("get-function-url-config", "--function-name", name)).toMatch(
      /\(ResourceNotFoundException\).*FunctionUrlConfig for/,
    );
  });
});

describe("AWS CLI: an SQS event source mapping", () => {
  it("lists, updates and deletes it", async () => {
    const name = await createFunction("m");
    const queueArn = await makeQueue();
    const made = await lambda<{ UUID: string }>(
      ...["create-event-source-mapping", "--function-name", name, "--event-source-arn", queueArn],
      ...["--batch-size", "5", "--no-enabled", "--tags", "team=core"],
    );
    const uuid = made.UUID;
    const get = () => aws("lambda", "get-event-source-mapping", "--uuid", uuid);
    const settled = async () => {
      await until("Disabled", async () => JSON.parse((await get()).stdout).State === "Disabled", 20_000);
    };
    await settled();

    expect(await lambda("list-event-source-mappings", "--function-name", name)).toEqual({
      EventSourceMappings: [
        expect.objectContaining({
          UUID: uuid,
          EventSourceArn: queueArn,
          FunctionArn: arnOf(name),
          BatchSize: 5,
          State: "Disabled",
        }),
      ],
    });
    // Its tags by its ARN, as Terraform reads them after every create and refresh.
    const mappingArn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:event-source-mapping:${uuid}`;
    expect(await lambda("list-tags", "--resource", mappingArn)).toEqual({ Tags: { team: "core" } });
    await silent("tag-resource", "--resource", mappingArn, "--tags", "env=dev");
    await silent("untag-resource", "--resource", mappingArn, "--tag-keys", "team");
    expect(await lambda("list-tags", "--resource", mappingArn)).toEqual({ Tags: { env: "dev" } });
    expect(await failure("tag-resource", "--resource", mappingArn, "--tags", "aws:x=y")).toMatch(
      /\(InvalidParameterValueException\).*aws:/,
    );
    const updated = await lambda(
      ...["update-event-source-mapping", "--uuid", uuid, "--batch-size", "8"],
      ...["--maximum-batching-window-in-seconds", "2"],
    );
    expect(updated).toMatchObject({ UUID: uuid, BatchSize: 8, MaximumBatchingWindowInSeconds: 2, State: "Updating" });
    await settled();
    expect(await lambda("get-event-source-mapping", "--uuid", uuid)).toMatchObject({
      BatchSize: 8,
      MaximumBatchingWindowInSeconds: 2,
    });

    expect(await lambda("delete-event-source-mapping", "--uuid", uuid)).toMatchObject({
      UUID: uuid,
      State: "Deleting",
    });
    await until("deleted", async () => (await get()).stderr.includes("(ResourceNotFoundException)"), 20_000);
    expect(await lambda("list-event-source-mappings", "--function-name", name)).toEqual({ EventSourceMappings: [] });
    expect(await failure("update-event-source-mapping", "--uuid", uuid, "--batch-size", "3")).toMatch(
      /\(ResourceNotFoundException\).*does not exist/,
    );
    expect(await failure("list-tags", "--resource", mappingArn)).toMatch(
      /\(ResourceNotFoundException\).*does not exist/,
    );
  });
});
