// The walking skeleton end to end: AWS SDK → control plane (SigV4, Postgres) →
// invoker (real Docker container with a memory cap) → result.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  InvokeCommand,
  ListFunctionsCommand,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "./helpers/poll.js";
import { type Stack, startStack } from "./helpers/stack.js";
import { nodeFunction } from "./helpers/zip.js";

const docker = new Docker();
const ROLE = "arn:aws:iam::123456789012:role/lambda-role";
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const decode = (p?: Uint8Array) => JSON.parse(Buffer.from(p ?? []).toString("utf8"));

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  expect(firewallRules()).toContain(`stratus-node=${stack.nodeId}`);
}, 120_000);

afterAll(async () => {
  if (!stack) return;
  await stack.stop();
  // A graceful stop leaves nothing of the node behind: no containers, no network.
  const left = await docker.listContainers({ all: true, filters: { label: [`stratus.node=${stack.nodeId}`] } });
  expect(left).toEqual([]);
  const nets = await docker.listNetworks({ filters: { name: [`stratus-fn-${stack.nodeId}`] } });
  expect(nets).toEqual([]);
  // Nor its firewall rules (function-firewall.ts), which were there while it ran.
  expect(firewallRules()).not.toContain(`stratus-node=${stack.nodeId}`);
}, 60_000);

const firewallRules = () => execFileSync("iptables", ["-w", "5", "-S"], { encoding: "utf8" });

async function createNodeFunction(name: string, source: string, memory = 128) {
  return stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.handler",
      MemorySize: memory,
      Code: { ZipFile: await nodeFunction(source) },
    }),
  );
}

/** The function's containers (stem cells get no function label: ask the pool). */
async function containersOf(name: string) {
  return stack.invoker.pool.containerIdsOf(name).map((Id) => ({ Id }));
}

describe("walking skeleton", () => {
  it("creates a function and returns its result", async () => {
    const name = uniqueName("echo");
    const created = await createNodeFunction(
      name,
      "exports.handler = async (event, context) => ({ echo: event, fn: context.functionName });",
    );
    expect(created.FunctionName).toBe(name);
    expect(created.State).toBe("Active");
    expect(created.FunctionArn).toBe(`arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${name}`);

    const out = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ hello: "world" })) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(decode(out.Payload)).toEqual({ echo: { hello: "world" }, fn: name });

    const got = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(got.Configuration?.CodeSha256).toBe(created.CodeSha256);
    const listed = await stack.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toContain(name);
  }, 60_000);

  it("reuses one warm container for two sequential invokes", async () => {
    const name = uniqueName("warm");
    await createNodeFunction(name, "let n = 0; exports.handler = async () => ({ n: ++n, pid: process.pid });");
    const first = decode((await stack.lambda.send(new InvokeCommand({ FunctionName: name }))).Payload);
    const second = decode((await stack.lambda.send(new InvokeCommand({ FunctionName: name }))).Payload);
    expect(first.n).toBe(1);
    expect(second).toEqual({ n: 2, pid: first.pid });
    expect(await containersOf(name)).toHaveLength(1);
  }, 60_000);

  it("tells how many of a function's warm runtimes are parked on /next: none mid-invoke, one after", async () => {
    const name = uniqueName("parked");
    await createNodeFunction(name, "exports.handler = async () => new Promise((r) => setTimeout(() => r('ok'), 400));");
    expect(stack.invoker.pool.runtimesWaiting(name)).toBe(0);
    await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    await until("the runtime is back on /next", async () => stack.invoker.pool.runtimesWaiting(name) === 1, 5_000);
    const running = stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    await until("the event is with the runtime", async () => stack.invoker.pool.runtimesWaiting(name) === 0, 5_000);
    await running;
    await until("the runtime is back on /next", async () => stack.invoker.pool.runtimesWaiting(name) === 1, 5_000);
    expect(stack.invoker.pool.runtimesWaiting(name, "000000000000")).toBe(0);
  }, 60_000);

  it("caps the container's memory (and swap) at the function's memory size", async () => {
    const name = uniqueName("memcap");
    await createNodeFunction(name, "exports.handler = async () => 'ok';", 256);
    await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    const [c] = await containersOf(name);
    expect(c).toBeDefined();
    const info = await docker.getContainer(c?.Id as string).inspect();
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.MemorySwap).toBe(256 * 1024 * 1024);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    expect(info.Config.User).toBe("10001:10001");
  }, 60_000);

  it("reports a throwing handler as an Unhandled function error", async () => {
    const name = uniqueName("throw");
    await createNodeFunction(name, "exports.handler = async () => { const e = new TypeError('boom'); throw e; };");
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const body = decode(out.Payload);
    expect(body.errorType).toBe("TypeError");
    expect(body.errorMessage).toBe("boom");
    expect(Array.isArray(body.stackTrace)).toBe(true);
  }, 60_000);

  it("answers an unknown function with a restJson1 ResourceNotFoundException", async () => {
    await expect(stack.lambda.send(new InvokeCommand({ FunctionName: uniqueName("nope") }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const res = await fetch(`${stack.endpoint}/2015-03-31/functions/nope/invocations`, {
      method: "POST",
      body: "{}",
    });
    // Unsigned: refused before any lookup, in the same restJson1 shape.
    expect(res.status).toBe(403);
    expect(res.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(await res.json()).toEqual({ Type: "User", message: "Missing Authentication Token" });
    try {
      await stack.lambda.send(new GetFunctionCommand({ FunctionName: "nope-at-all" }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ResourceNotFoundException);
      const e = err as ResourceNotFoundException;
      expect(e.$metadata.httpStatusCode).toBe(404);
      expect(e.message).toMatch(/Function not found: arn:aws:lambda:us-east-1:\d{12}:function:nope-at-all/);
    }
  }, 30_000);

  it("refuses a corrupt zip with a clear 400 and stores nothing", async () => {
    const name = uniqueName("corrupt");
    const before = await stack.db.query(
      "SELECT (SELECT count(*) FROM code_blobs) AS code, (SELECT count(*) FROM functions) AS fns",
    );
    const send = stack.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Role: ROLE,
        Handler: "index.handler",
        Code: { ZipFile: Buffer.from("PK\u0003\u0004 this is not really a zip") },
      }),
    );
    await expect(send).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(send).rejects.toThrow(/Could not unzip uploaded file/);
    const after = await stack.db.query(
      "SELECT (SELECT count(*) FROM code_blobs) AS code, (SELECT count(*) FROM functions) AS fns",
    );
    expect(after.rows).toEqual(before.rows);
    const exists = await stack.db.query("SELECT 1 FROM functions WHERE name = $1", [name]);
    expect(exists.rowCount).toBe(0);
  }, 30_000);

  it("refuses a duplicate name with ResourceConflictException", async () => {
    const name = uniqueName("dup");
    await createNodeFunction(name, "exports.handler = async () => 1;");
    await expect(createNodeFunction(name, "exports.handler = async () => 2;")).rejects.toBeInstanceOf(
      ResourceConflictException,
    );
  }, 30_000);

  it("keeps another account's functions invisible", async () => {
    const name = uniqueName("private");
    await createNodeFunction(name, "exports.handler = async () => 'mine';");
    const other = stack.clientFor(await stack.newAccount(uniqueName("other")));
    await expect(other.send(new InvokeCommand({ FunctionName: name }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const arn = `arn:aws:lambda:us-east-1:${stack.credentials.accountId}:function:${name}`;
    await expect(other.send(new GetFunctionCommand({ FunctionName: arn }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const listed = await other.send(new ListFunctionsCommand({}));
    expect(listed.Functions ?? []).toEqual([]);
  }, 30_000);

  it("removes the warm containers of a replaced $LATEST revision, a deleted version and a deleted function within seconds", async () => {
    const name = uniqueName("retire");
    await createNodeFunction(name, "exports.handler = async () => process.env.STAMP || 'none';");
    const invoke = async (qualifier?: string) =>
      decode((await stack.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }))).Payload);
    const gone = async (id: string) =>
      docker
        .getContainer(id)
        .inspect()
        .then(
          () => false,
          () => true,
        );
    expect(await invoke()).toBe("none");
    const [latestOld] = stack.invoker.pool.containerIdsOf(name);
    await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(await invoke("1")).toBe("none");
    const [v1] = stack.invoker.pool.containerIdsOf(name).filter((id) => id !== latestOld);
    expect(latestOld && v1).toBeTruthy();

    // A new $LATEST revision: its old container goes, version 1's stays.
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { STAMP: "new" } } }),
    );
    await until("the old revision's container removed", () => gone(latestOld as string), 10_000);
    expect(await gone(v1 as string)).toBe(false);
    expect(await invoke()).toBe("new");
    expect(await invoke("1")).toBe("none");

    // Version 1 deleted: its container goes, $LATEST's stays.
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    await until("version 1's container removed", () => gone(v1 as string), 10_000);
    const latestNew = stack.invoker.pool.containerIdsOf(name);
    expect(latestNew).toHaveLength(1);

    // The function deleted: every container of it goes.
    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await until("the function's containers removed", () => gone(latestNew[0] as string), 10_000);
    expect(stack.invoker.pool.containerIdsOf(name)).toEqual([]);
  }, 60_000);
});
