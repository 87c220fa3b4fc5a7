// Tracing end to end: TracingConfig through the AWS CLI and @aws-sdk/client-lambda, the
// trace a function sees (_X_AMZN_TRACE_ID, set by its runtime client from
// Lambda-Runtime-Trace-Id), an incoming X-Amzn-Trace-Id kept, and the platform's own
// spans exported by the control plane and the invoker over OTLP to a receiver in this
// test, joined under one trace id.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetFunctionCommand,
  InvokeCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, storedLog } from "./helpers/functions.js";
import { startOtlpReceiver } from "./helpers/otlp-receiver.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const receiver = await startOtlpReceiver();
const stack = useStack(
  { STRATUS_OTLP_ENDPOINT: receiver.url },
  { controlPlaneEnv: { STRATUS_OTLP_ENDPOINT: receiver.url } },
);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-tracing-"));
});
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

const TRACE_ECHO = {
  "index.js": `exports.handler = async () => {
    console.log("TRACE=" + process.env._X_AMZN_TRACE_ID);
    return { trace: process.env._X_AMZN_TRACE_ID };
  };`,
};

const FULL = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;

const deployEcho = (mode?: "Active" | "PassThrough") =>
  deployFunction(stack, {
    runtime: "nodejs20.x",
    handler: "index.handler",
    files: TRACE_ECHO,
    ...(mode ? { config: { TracingConfig: { Mode: mode } } } : {}),
  });

describe("TracingConfig", () => {
  it("round-trips through the AWS CLI and the SDK, into published versions", async () => {
    const name = await deployEcho();
    const got = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(got.Configuration?.TracingConfig).toEqual({ Mode: "PassThrough" });

    const cli = await runAwsCli(stack, dir, [
      "lambda",
      "update-function-configuration",
      "--function-name",
      name,
      "--tracing-config",
      "Mode=Active",
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).TracingConfig).toEqual({ Mode: "Active" });
    const shown = await runAwsCli(stack, dir, ["lambda", "get-function-configuration", "--function-name", name]);
    expect(JSON.parse(shown.stdout).TracingConfig).toEqual({ Mode: "Active" });

    const published = await stack.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(published.TracingConfig).toEqual({ Mode: "Active" });
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, TracingConfig: { Mode: "PassThrough" } }),
    );
    const versions = await stack.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    expect(versions.Versions?.map((v) => [v.Version, v.TracingConfig?.Mode])).toEqual([
      ["$LATEST", "PassThrough"],
      [published.Version, "Active"],
    ]);
  });

  it("refuses a mode Lambda does not have, by name, and changes nothing", async () => {
    const name = await deployEcho("Active");
    const cli = await runAwsCli(stack, dir, [
      "lambda",
      "update-function-configuration",
      "--function-name",
      name,
      "--tracing-config",
      "Mode=Sometimes",
    ]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/TracingConfig/);
    const got = await stack.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(got.Configuration?.TracingConfig).toEqual({ Mode: "Active" });
  });
});

describe("traces", () => {
  it("joins an Active function's async invocation, from accept to its run, under one trace id", async () => {
    const name = await deployEcho("Active");
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event" }));
    expect(out.StatusCode).toBe(202);
    const id = out.$metadata.requestId as string;
    const log = await storedLog(stack, id);
    const seen = /TRACE=(\S+)/.exec(log)?.[1] ?? "";
    const m = FULL.exec(seen);
    expect(m, seen).not.toBeNull();
    const [, epoch, rest, parent, sampled] = m as RegExpExecArray;
    expect(sampled).toBe("1");
    const traceId = `${epoch}${rest}`;

    const wanted = ["accept", "queue wait", "placement", "dispatch", "placement on node", "cold start", "invoke"];
    const spans = await waitFor(
      async () => {
        const mine = receiver.spans.filter((s) => s.traceId === traceId);
        return wanted.every((n) => mine.some((s) => s.name === n)) ? mine : undefined;
      },
      20_000,
      { what: "the invocation's spans" },
    );
    const byName = (n: string) => spans.find((s) => s.name === n);
    expect(byName("accept")?.service).toBe("stratus-control-plane");
    expect(byName("invoke")?.service).toBe("stratus-invoker");
    expect(byName("cold start")?.service).toBe("stratus-invoker");
    // The function's run is the span its trace header names as parent.
    expect(byName("invoke")?.spanId).toBe(parent);
    // One tree: the node's spans under the control plane's dispatch, all under accept.
    const dispatch = byName("dispatch");
    expect(byName("invoke")?.parentSpanId).toBe(dispatch?.spanId);
    expect(byName("placement on node")?.parentSpanId).toBe(dispatch?.spanId);
    expect(byName("queue wait")?.parentSpanId).toBe(byName("accept")?.spanId);
    expect(dispatch?.parentSpanId).toBe(byName("accept")?.spanId);
    expect(byName("accept")?.parentSpanId).toBeUndefined();
  });

  it("keeps the root of a sync invoke's incoming X-Amzn-Trace-Id", async () => {
    const name = await deployEcho("PassThrough");
    const client = stack.clientFor(stack.credentials);
    const root = "1-5759e988-bd862e3fe1be46a994272793";
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers["x-amzn-trace-id"] = `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`;
        return next(args);
      },
      { step: "build", name: "traceHeader" },
    );
    const out = await client.send(new InvokeCommand({ FunctionName: name }));
    const seen = (JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { trace: string }).trace;
    expect(seen).toMatch(FULL);
    expect(seen.startsWith(`Root=${root};`)).toBe(true);
    expect(seen.endsWith(";Sampled=1")).toBe(true);
    const traceId = "5759e988bd862e3fe1be46a994272793";
    const spans = await waitFor(
      async () => {
        const mine = receiver.spans.filter((s) => s.traceId === traceId);
        return mine.some((s) => s.name === "invoke") && mine.some((s) => s.name === "accept") ? mine : undefined;
      },
      20_000,
      { what: "the sync invocation's spans" },
    );
    expect(spans.find((s) => s.name === "accept")?.parentSpanId).toBe("53995c3f42cd8ad8");
  });

  it("gives a PassThrough function an unsampled trace of its own, and exports nothing of it", async () => {
    const name = await deployEcho("PassThrough");
    const out = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    const seen = (JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { trace: string }).trace;
    const m = FULL.exec(seen);
    expect(m, seen).not.toBeNull();
    expect(m?.[4]).toBe("0");
    const traceId = `${m?.[1]}${m?.[2]}`;
    // The other tests' spans arrive through the same exporters: once a later sampled
    // invocation's spans are in, this one's would have been too.
    const later = await deployEcho("Active");
    const after = await stack.lambda.send(new InvokeCommand({ FunctionName: later }));
    const laterTrace = FULL.exec(
      (JSON.parse(Buffer.from(after.Payload ?? []).toString()) as { trace: string }).trace,
    ) as RegExpExecArray;
    await waitFor(
      async () =>
        receiver.spans.some((s) => s.traceId === `${laterTrace[1]}${laterTrace[2]}` && s.name === "invoke") ||
        undefined,
      20_000,
      { what: "a later invocation's spans" },
    );
    expect(receiver.spans.filter((s) => s.traceId === traceId)).toEqual([]);
  });
});
