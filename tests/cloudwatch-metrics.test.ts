// CloudWatch's metric API on a live stack, driven by the AWS CLI and by
// @aws-sdk/client-cloudwatch in each protocol CloudWatch clients speak (awsJson1_0,
// the SDK's default and the CLI's; rpc-v2-cbor, the Go SDK's and so Grafana's;
// awsQuery, older clients'): run attempts written into invocation_usage as the
// control plane writes them, plus a real sync throttle and a real async event whose
// counters the control plane records, read back as the numbers they must give.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAwsCli } from "./helpers/aws-cli.js";
import { deployFunction, uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import type { Credentials } from "./helpers/stack.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
let dir: string;
let other: Credentials;
const fn = uniqueName("metrics");
/** The start of the hour two hours ago: the inserted attempts' minutes are T0, T0+1m, T0+2m. */
const T0 = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000);
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const range = { StartTime: T0, EndTime: at(180) };
const fnDims = [{ Name: "FunctionName", Value: fn }];

interface Attempt {
  account: string;
  resource?: string;
  version?: string;
  outcome?: string;
  endedAt: Date;
  durationMs: number;
}

async function insertAttempt(a: Attempt): Promise<void> {
  await stack.db.query(
    `INSERT INTO invocation_usage (request_id, attempt, account_id, function_name, version, resource, invocation_type,
       outcome, ended_at, memory_mb, duration_ms, billed_ms, cold)
     VALUES ($1, 1, $2, $3, $4, $5, 'RequestResponse', $6, $7, 128, $8, ceil($8), false)`,
    [
      randomUUID(),
      a.account,
      fn,
      a.version ?? "$LATEST",
      a.resource ?? "",
      a.outcome ?? "success",
      a.endedAt,
      a.durationMs,
    ],
  );
}

function client(protocol?: "cbor" | "query", creds: Credentials = stack.credentials): CloudWatchClient {
  const config: CloudWatchClientConfig = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
  };
  if (protocol === "cbor") config.protocol = AwsSmithyRpcV2CborProtocol;
  if (protocol === "query") config.protocol = AwsQueryProtocol;
  return new CloudWatchClient(config);
}

const aws = (...args: string[]) => runAwsCli(stack, dir, args);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-cw-"));
  const account = stack.credentials.accountId;
  // Minute 0: three attempts one after another; minute 1: a failed one under alias
  // prod (version 2); minute 2: two that overlap.
  for (const [s, d] of [
    [10, 100],
    [20, 200],
    [30, 300],
  ] as const) {
    await insertAttempt({ account, endedAt: at(s), durationMs: d });
  }
  await insertAttempt({
    account,
    resource: "prod",
    version: "2",
    outcome: "function_error",
    endedAt: at(70),
    durationMs: 400,
  });
  await insertAttempt({ account, endedAt: at(130), durationMs: 5000 });
  await insertAttempt({ account, endedAt: at(131), durationMs: 5000 });
  other = await stack.newAccount(uniqueName("cw-other"));
  // Another account's function of the same name: never in the first account's numbers.
  await insertAttempt({ account: other.accountId, endedAt: at(15), durationMs: 9999 });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each([undefined, "cbor", "query"] as const)("the SDK (%s protocol)", (protocol) => {
  it("answers GetMetricStatistics per minute, by function, qualifier and version", async () => {
    const cw = client(protocol);
    const stats = async (MetricName: string, Dimensions = fnDims, extra: object = { Statistics: ["Sum"] }) =>
      (
        await cw.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/Lambda",
            MetricName,
            Dimensions,
            Period: 60,
            ...range,
            ...extra,
          }),
        )
      ).Datapoints ?? [];
    const sums = (points: { Timestamp?: Date; Sum?: number }[]) =>
      points.sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0)).map((p) => p.Sum);

    expect(sums(await stats("Invocations"))).toEqual([3, 1, 2]);
    expect(sums(await stats("Errors"))).toEqual([0, 1, 0]);
    const duration = await stats("Duration", fnDims, { Statistics: ["Average", "Maximum", "SampleCount"] });
    const first = duration.find((p) => p.Timestamp?.getTime() === T0.getTime());
    expect(first).toMatchObject({ Average: 200, Maximum: 300, SampleCount: 3, Unit: "Milliseconds" });
    const p50 = await stats("Duration", fnDims, { ExtendedStatistics: ["p50", "p90"] });
    expect(p50.find((p) => p.Timestamp?.getTime() === T0.getTime())?.ExtendedStatistics).toEqual({
      p50: 200,
      p90: 280,
    });
    const concurrency = await stats("ConcurrentExecutions", fnDims, { Statistics: ["Maximum"] });
    expect(concurrency.map((p) => [p.Timestamp?.getTime(), p.Maximum]).sort()).toEqual(
      [
        [T0.getTime(), 1],
        [at(60).getTime(), 1],
        [at(120).getTime(), 2],
      ].sort(),
    );
    const prod = [...fnDims, { Name: "Resource", Value: `${fn}:prod` }];
    expect(sums(await stats("Invocations", prod))).toEqual([1]);
    expect(sums(await stats("Invocations", [...prod, { Name: "ExecutedVersion", Value: "2" }]))).toEqual([1]);
    expect(sums(await stats("Invocations", [...prod, { Name: "ExecutedVersion", Value: "1" }]))).toEqual([]);
    expect(await stats("NoSuchMetric")).toEqual([]);
    // The account's own series, all its functions together, over one 3-minute period.
    const account = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Invocations",
        Period: 180,
        Statistics: ["Sum"],
        ...range,
      }),
    );
    expect(account.Datapoints?.map((p) => p.Sum)).toEqual([6]);
    cw.destroy();
  });

  it("answers GetMetricData in ScanBy order and refuses what it does not do by name", async () => {
    const cw = client(protocol);
    const query = (Id: string, MetricName: string, Stat: string) => ({
      Id,
      MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName, Dimensions: fnDims }, Period: 60, Stat },
    });
    const out = await cw.send(
      new GetMetricDataCommand({
        ...range,
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          query("inv", "Invocations", "Sum"),
          { ...query("dur", "Duration", "p50"), Label: "median" },
        ],
      }),
    );
    const [inv, dur] = out.MetricDataResults ?? [];
    expect(inv).toMatchObject({ Id: "inv", Values: [3, 1, 2], StatusCode: "Complete" });
    expect(inv?.Timestamps).toEqual([T0, at(60), at(120)]);
    expect(dur).toMatchObject({ Id: "dur", Label: "median", Values: [200, 400, 5000] });
    const refused = await cw
      .send(new GetMetricDataCommand({ ...range, MetricDataQueries: [{ Id: "e", Expression: "SUM(METRICS())" }] }))
      .then(
        () => undefined,
        (e: Error & { Code?: string }) => e,
      );
    expect(refused?.message).toMatch(/Expression/);
    expect(refused?.name).toMatch(/^InvalidParameterValue/);
    cw.destroy();
  });

  it("lists the series with data, filtered by dimension, for the caller's account only", async () => {
    const cw = client(protocol);
    const listed = await cw.send(
      new ListMetricsCommand({ Namespace: "AWS/Lambda", Dimensions: [{ Name: "FunctionName", Value: fn }] }),
    );
    const names = (listed.Metrics ?? []).map(
      (m) => `${m.MetricName} ${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(",")}`,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        `Invocations FunctionName=${fn}`,
        `Invocations FunctionName=${fn},Resource=${fn}:prod`,
        `Duration FunctionName=${fn},Resource=${fn}:prod,ExecutedVersion=2`,
        `ConcurrentExecutions FunctionName=${fn}`,
      ]),
    );
    const theirs = client(protocol, other);
    const stats = await theirs.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/Lambda",
        MetricName: "Duration",
        Dimensions: fnDims,
        Period: 180,
        Statistics: ["Maximum"],
        ...range,
      }),
    );
    expect(stats.Datapoints?.map((p) => p.Maximum)).toEqual([9999]);
    theirs.destroy();
    cw.destroy();
  });
});

describe("the AWS CLI", () => {
  const iso = (d: Date) => d.toISOString();

  it("reads statistics, metric data and the metric list", async () => {
    const stats = await aws(
      "cloudwatch",
      "get-metric-statistics",
      "--namespace",
      "AWS/Lambda",
      "--metric-name",
      "Invocations",
      "--dimensions",
      `Name=FunctionName,Value=${fn}`,
      "--start-time",
      iso(T0),
      "--end-time",
      iso(at(180)),
      "--period",
      "60",
      "--statistics",
      "Sum",
    );
    expect(stats.code, stats.stderr).toBe(0);
    const points = (JSON.parse(stats.stdout) as { Datapoints: { Sum: number; Timestamp: number }[] }).Datapoints;
    expect(points.sort((a, b) => a.Timestamp - b.Timestamp).map((p) => p.Sum)).toEqual([3, 1, 2]);

    const queries = path.join(dir, "queries.json");
    await writeFile(
      queries,
      JSON.stringify([
        {
          Id: "errors",
          MetricStat: {
            Metric: { Namespace: "AWS/Lambda", MetricName: "Errors", Dimensions: fnDims },
            Period: 180,
            Stat: "Sum",
          },
        },
      ]),
    );
    const data = await aws(
      "cloudwatch",
      "get-metric-data",
      "--metric-data-queries",
      `file://${queries}`,
      "--start-time",
      iso(T0),
      "--end-time",
      iso(at(180)),
    );
    expect(data.code, data.stderr).toBe(0);
    expect(JSON.parse(data.stdout).MetricDataResults[0]).toMatchObject({
      Id: "errors",
      Values: [1],
      StatusCode: "Complete",
    });

    const list = await aws(
      "cloudwatch",
      "list-metrics",
      "--namespace",
      "AWS/Lambda",
      "--metric-name",
      "Errors",
      "--dimensions",
      `Name=FunctionName,Value=${fn}`,
    );
    expect(list.code, list.stderr).toBe(0);
    // The function's series, its alias prod's, and the version that ran under prod.
    expect((JSON.parse(list.stdout) as { Metrics: unknown[] }).Metrics).toHaveLength(3);
  });

  it("gets CloudWatch's errors by their query codes", async () => {
    const tooMany = await aws(
      "cloudwatch",
      "get-metric-statistics",
      "--namespace",
      "AWS/Lambda",
      "--metric-name",
      "Invocations",
      "--start-time",
      iso(T0),
      "--end-time",
      iso(new Date(T0.getTime() + 2 * 86_400_000)),
      "--period",
      "60",
      "--statistics",
      "Sum",
    );
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toMatch(/InvalidParameterCombination.*1,440/);
    const period = await aws(
      "cloudwatch",
      "get-metric-statistics",
      "--namespace",
      "AWS/Lambda",
      "--metric-name",
      "Invocations",
      "--start-time",
      iso(T0),
      "--end-time",
      iso(at(180)),
      "--period",
      "90",
      "--statistics",
      "Sum",
    );
    expect(period.stderr).toMatch(/InvalidParameterValue.*multiple of 60/);
  });
});

describe("counters the control plane records", () => {
  it("counts a real sync throttle and an async event dropped with an undeliverable destination", async () => {
    const lambda = stack.lambda;
    const throttled = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": "exports.handler = async () => 1;" },
    });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: throttled, ReservedConcurrentExecutions: 0 }));
    const refused = await lambda.send(new InvokeCommand({ FunctionName: throttled })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused?.name).toBe("TooManyRequestsException");

    const failing = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": "exports.handler = async () => { throw new Error('no'); };" },
    });
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: failing,
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          // An event bus: accepted, but Stratus cannot deliver to it.
          OnFailure: { Destination: `arn:aws:events:${stack.region}:${stack.credentials.accountId}:event-bus/default` },
        },
      }),
    );
    await lambda.send(
      new InvokeCommand({ FunctionName: failing, InvocationType: "Event", Payload: Buffer.from("{}") }),
    );

    const cw = client();
    const now = Date.now();
    const sumOf = async (name: string, MetricName: string, Stat = "Sum") => {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 600_000),
          EndTime: new Date(now + 600_000),
          MetricDataQueries: [
            {
              Id: "m",
              MetricStat: {
                Metric: { Namespace: "AWS/Lambda", MetricName, Dimensions: [{ Name: "FunctionName", Value: name }] },
                Period: 1200,
                Stat,
              },
            },
          ],
        }),
      );
      return out.MetricDataResults?.[0]?.Values?.[0];
    };
    await waitFor(async () => ((await sumOf(throttled, "Throttles")) === 1 ? true : undefined), 20_000, {
      what: "Throttles",
    });
    for (const metric of ["AsyncEventsReceived", "AsyncEventsDropped", "DestinationDeliveryFailures"]) {
      await waitFor(async () => ((await sumOf(failing, metric)) === 1 ? true : undefined), 30_000, { what: metric });
    }
    expect(await sumOf(failing, "AsyncEventAge", "SampleCount")).toBe(1);
    expect(await sumOf(failing, "DeadLetterErrors")).toBeUndefined();
    cw.destroy();
  });
});
