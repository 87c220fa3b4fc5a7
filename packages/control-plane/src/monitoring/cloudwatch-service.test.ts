import { describe, expect, it } from "vitest";
import type { MetricStore, SeriesQuery } from "../store/metric-store.js";
import { createCloudWatchService } from "./cloudwatch-service.js";

/** A store answering one bucket a period, each with count = the period's index + 1. */
function fakeStore(asked: SeriesQuery[] = []): MetricStore {
  return {
    async buckets(_metric, q) {
      asked.push(q);
      const out = [];
      for (let t = q.from, i = 0; t < q.to; t += q.period, i++) {
        out.push({ start: t, count: i + 1, sum: 2 * (i + 1), min: 1, max: 3, percentiles: new Map() });
      }
      return out;
    },
    async series() {
      return [
        { metric: "Invocations", key: {} },
        { metric: "Invocations", key: { functionName: "f" } },
        { metric: "Invocations", key: { functionName: "f", qualifier: "prod" } },
        { metric: "Throttles", key: { functionName: "g" } },
      ];
    },
  };
}

const fn = [{ Name: "FunctionName", Value: "f" }];
const range = { StartTime: "2026-01-01T00:00:00Z", EndTime: "2026-01-01T00:05:00Z" };
const stats = { Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: fn, Period: 60, ...range };

describe("GetMetricStatistics", () => {
  it("answers the statistics asked for each period, with the metric's unit", async () => {
    const asked: SeriesQuery[] = [];
    const out = await createCloudWatchService(fakeStore(asked)).getMetricStatistics("1", {
      ...stats,
      Statistics: ["Sum", "Average"],
    });
    expect(asked[0]).toMatchObject({ accountId: "1", key: { functionName: "f" }, period: 60 });
    expect(out.Datapoints).toHaveLength(5);
    expect((out.Datapoints as object[])[1]).toEqual({
      Timestamp: new Date("2026-01-01T00:01:00Z"),
      Sum: 4,
      Average: 2,
      Unit: "Count",
    });
  });

  it.each([
    [{ Period: 90, Statistics: ["Sum"] }, /multiple of 60/],
    [{ Statistics: ["Sum"], ExtendedStatistics: ["p99"] }, /mutually exclusive/],
    [{}, /either Statistics or ExtendedStatistics/],
    [{ Statistics: ["p99"] }, /Statistics member/],
    [{ Statistics: ["Sum"], EndTime: "2026-01-02T00:01:00Z" }, /1441 datapoints.*1,440/],
    [{ Statistics: ["Sum"], EndTime: "2025-01-01T00:00:00Z" }, /StartTime must be less/],
    [{ Statistics: ["Sum"], Foo: 1 }, /Foo is not supported/],
  ])("refuses %j", async (change, message) => {
    await expect(
      createCloudWatchService(fakeStore()).getMetricStatistics("1", { ...stats, ...change }),
    ).rejects.toThrow(message);
  });

  it.each([
    { Namespace: "AWS/EC2" },
    { MetricName: "NoSuchMetric" },
    { Unit: "Seconds" },
    { Dimensions: [{ Name: "InstanceId", Value: "i" }] },
  ])("answers no datapoints for %j", async (change) => {
    const out = await createCloudWatchService(fakeStore()).getMetricStatistics("1", {
      ...stats,
      Statistics: ["Sum"],
      ...change,
    });
    expect(out.Datapoints).toEqual([]);
  });
});

const query = (id: string, stat = "Sum") => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: fn },
    Period: 60,
    Stat: stat,
  },
});

describe("GetMetricData", () => {
  it("pages by MaxDatapoints in ScanBy order, resuming where the token says", async () => {
    const cw = createCloudWatchService(fakeStore());
    const body = { ...range, MetricDataQueries: [query("a"), query("b", "SampleCount")], MaxDatapoints: 3 };
    const seen: [string, number[], string][] = [];
    let token: string | undefined;
    do {
      const page = await cw.getMetricData("1", { ...body, ...(token ? { NextToken: token } : {}) });
      for (const r of page.MetricDataResults as { Id: string; Values: number[]; StatusCode: string }[]) {
        seen.push([r.Id, r.Values, r.StatusCode]);
      }
      token = page.NextToken as string | undefined;
    } while (token);
    expect(seen).toEqual([
      ["a", [10, 8, 6], "PartialData"],
      ["a", [4, 2], "Complete"],
      ["b", [5], "PartialData"],
      ["b", [4, 3, 2], "PartialData"],
      ["b", [1], "Complete"],
    ]);
  });

  it.each([
    [{ MetricDataQueries: [{ Id: "e", Expression: "SUM(METRICS())" }] }, /Expression .* not supported/],
    [{ MetricDataQueries: [query("A")] }, /Id is not valid/],
    [{ MetricDataQueries: [query("a"), query("a")] }, /unique/],
    [{ MetricDataQueries: Array.from({ length: 501 }, (_, i) => query(`q${i}`)) }, /more than 500/],
    [{ MetricDataQueries: [{ ...query("a"), AccountId: "2" }] }, /cross-account/],
    [{ MetricDataQueries: [query("a")], LabelOptions: { Timezone: "+0100" } }, /LabelOptions/],
    [{ MetricDataQueries: [query("a")], NextToken: "garbage" }, /NextToken/],
    [{ MetricDataQueries: [query("a")], ScanBy: "Sideways" }, /ScanBy/],
  ])("refuses %#", async (change, message) => {
    await expect(createCloudWatchService(fakeStore()).getMetricData("1", { ...range, ...change })).rejects.toThrow(
      message,
    );
  });
});

describe("ListMetrics", () => {
  it("lists series having every dimension filtered on", async () => {
    const cw = createCloudWatchService(fakeStore());
    const out = await cw.listMetrics("1", { Dimensions: [{ Name: "FunctionName", Value: "f" }] });
    expect(out.Metrics).toHaveLength(2);
    expect(out.Metrics).toEqual(
      expect.arrayContaining([
        { Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: fn },
        {
          Namespace: "AWS/Lambda",
          MetricName: "Invocations",
          Dimensions: [...fn, { Name: "Resource", Value: "f:prod" }],
        },
      ]),
    );
    expect((await cw.listMetrics("1", { MetricName: "Throttles" })).Metrics).toHaveLength(1);
    expect((await cw.listMetrics("1", { Namespace: "AWS/EC2" })).Metrics).toEqual([]);
    await expect(cw.listMetrics("1", { IncludeLinkedAccounts: true })).rejects.toThrow(/IncludeLinkedAccounts/);
  });
});
