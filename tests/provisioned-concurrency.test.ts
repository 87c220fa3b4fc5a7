// Provisioned concurrency on real containers: a config on an alias is READY once its
// containers have run their init, before any invoke; invokes run in them (the runtime
// says provisioned-concurrency) and they outlive the idle TTL; a deleted config, alias
// or version takes its containers and config away; a function whose init fails is
// FAILED with the reason; and Lambda's refusals. AWS CLI and the official SDK client.
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetProvisionedConcurrencyConfigCommand,
  type GetProvisionedConcurrencyConfigCommandOutput,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { deployFunction, invokeFunction } from "./helpers/functions.js";
import { errorName } from "./helpers/iam.js";
import { until, waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

// Idle containers are reaped after 2 s here: provisioned ones must outlive that.
const stack = useStack({ STRATUS_IDLE_TTL_SECONDS: "2" });
const aws = useAwsCli(stack, "stratus-provisioned-");
const { json: lambda, silent, failure } = cliCommands(aws, "lambda");

const HANDLER = `
const id = Math.random().toString(36).slice(2);
exports.handler = async () => ({ id, init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE });
`;

async function published(code = HANDLER) {
  const name = await deployFunction(stack, {
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: { "index.js": code },
  });
  await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  return name;
}

const config = (name: string, qualifier: string) =>
  stack.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));

/** The config once its status is `status`. */
const settled = (name: string, qualifier: string, status: string, timeoutMs = 60_000) =>
  waitFor<GetProvisionedConcurrencyConfigCommandOutput>(
    async () => {
      const c = await config(name, qualifier);
      return c.Status === status ? c : undefined;
    },
    timeoutMs,
    { what: `${name}:${qualifier} ${status}`, intervalMs: 250 },
  );

const containers = (name: string) => stack.invoker.pool.containerIdsOf(name).length;

describe("provisioned concurrency", () => {
  it("keeps an alias's containers initialised before any invoke, serves from them past the idle TTL, and lets them go", async () => {
    const name = await published();
    await stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));

    const put = await lambda<Record<string, unknown>>(
      ...["put-provisioned-concurrency-config", "--function-name", name, "--qualifier", "live"],
      ...["--provisioned-concurrent-executions", "2"],
    );
    expect(put).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 0,
      Status: "IN_PROGRESS",
    });
    expect(put.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const ready = await settled(name, "live", "READY");
    expect(ready).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
    });
    expect(containers(name)).toBe(2);

    // A version provisioned through an alias takes no config of its own.
    expect(
      await failure(
        ...["put-provisioned-concurrency-config", "--function-name", name, "--qualifier", "1"],
        ...["--provisioned-concurrent-executions", "1"],
      ),
    ).toMatch(/\(ResourceConflictException\).*alias live/);

    const first = await invokeFunction(stack, `${name}:live`);
    expect(first.body.init).toBe("provisioned-concurrency");
    // Past the idle TTL (and the reaper's rounds), the containers and their init are still there.
    await new Promise((r) => setTimeout(r, 4_500));
    expect(containers(name)).toBe(2);
    const later = await invokeFunction(stack, `${name}:live`);
    expect(later.body.init).toBe("provisioned-concurrency");
    expect((await config(name, "live")).Status).toBe("READY");

    const listed = await lambda<{ ProvisionedConcurrencyConfigs: Record<string, unknown>[] }>(
      ...["list-provisioned-concurrency-configs", "--function-name", name],
    );
    expect(listed.ProvisionedConcurrencyConfigs).toEqual([
      expect.objectContaining({
        FunctionArn: `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}:live`,
        Status: "READY",
        AllocatedProvisionedConcurrentExecutions: 2,
      }),
    ]);
    const sdkListed = await stack.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
    expect(sdkListed.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn?.split(":").pop())).toEqual(["live"]);

    await silent("delete-provisioned-concurrency-config", "--function-name", name, "--qualifier", "live");
    expect(await failure("get-provisioned-concurrency-config", "--function-name", name, "--qualifier", "live")).toMatch(
      /\(ProvisionedConcurrencyConfigNotFoundException\)/,
    );
    // Released: idle, they are removed at once, not kept as on-demand containers.
    await until("the containers released", async () => containers(name) === 0, 15_000);
  });

  it("goes with the alias or version it names", async () => {
    const name = await published();
    await stack.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "blue", FunctionVersion: "1" }));
    await stack.lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: name,
        Qualifier: "blue",
        ProvisionedConcurrentExecutions: 1,
      }),
    );
    await settled(name, "blue", "READY");
    await stack.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "blue" }));
    expect(await errorName(config(name, "blue"))).toBe("ProvisionedConcurrencyConfigNotFoundException");
    await stack.lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: name,
        Qualifier: "1",
        ProvisionedConcurrentExecutions: 1,
      }),
    );
    await settled(name, "1", "READY");
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    expect(await errorName(config(name, "1"))).toBe("ProvisionedConcurrencyConfigNotFoundException");
    await until("the deleted version's containers removed", async () => containers(name) === 0, 15_000);
  });

  it("is FAILED, with the reason, when the function's init fails", async () => {
    const name = await published(`throw new Error("no database"); exports.handler = async () => 1;`);
    await lambda(
      ...["put-provisioned-concurrency-config", "--function-name", name, "--qualifier", "1"],
      ...["--provisioned-concurrent-executions", "1"],
    );
    const failed = await settled(name, "1", "FAILED", 90_000);
    expect(failed.AllocatedProvisionedConcurrentExecutions).toBe(0);
    expect(failed.StatusReason).toMatch(/no database/);
  });

  it("refuses what Lambda refuses, changing nothing", async () => {
    const name = await published();
    const put = (qualifier: string, n: string) =>
      failure(
        ...["put-provisioned-concurrency-config", "--function-name", name, "--qualifier", qualifier],
        ...["--provisioned-concurrent-executions", n],
      );
    expect(await put("$LATEST", "1")).toMatch(/\(InvalidParameterValueException\).*unpublished function versions/);
    expect(await put("7", "1")).toMatch(/\(ResourceNotFoundException\)/);
    expect(await put("nope", "1")).toMatch(/\(ResourceNotFoundException\).*alias/);
    expect(await put("1", "0")).toMatch(/ProvisionedConcurrentExecutions/);
    // The account's 1,000 less what it asks must leave 100 unreserved.
    expect(await put("1", "950")).toMatch(/\(InvalidParameterValueException\).*UnreservedConcurrentExecution/);
    await lambda("put-function-concurrency", "--function-name", name, "--reserved-concurrent-executions", "2");
    expect(await put("1", "3")).toMatch(/\(InvalidParameterValueException\).*reservedConcurrentExecution/);
    expect(await failure("get-provisioned-concurrency-config", "--function-name", name, "--qualifier", "1")).toMatch(
      /\(ProvisionedConcurrencyConfigNotFoundException\)/,
    );
    expect(
      await lambda<{ ProvisionedConcurrencyConfigs: unknown[] }>(
        ...["list-provisioned-concurrency-configs", "--function-name", name],
      ),
    ).toEqual({ ProvisionedConcurrencyConfigs: [] });
    expect(containers(name)).toBe(0);
  });
});
