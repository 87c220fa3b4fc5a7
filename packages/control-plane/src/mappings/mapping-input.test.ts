import { describe, expect, it } from "vitest";
import { newConfig, parseCreate, parseUpdate, updatedConfig } from "./mapping-input.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq-AbCdEf";
const base = {
  FunctionName: "f",
  EventSourceArn: "arn:aws:mq:us-east-1:123456789012:broker:main:b-00000000-0000-0000-0000-000000000000",
  Queues: ["q"],
  SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: SECRET }],
};

describe("mapping input", () => {
  it("takes Lambda's defaults for RabbitMQ", () => {
    expect(newConfig(parseCreate(base), "rabbitmq")).toEqual({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      Queues: ["q"],
      SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: SECRET }],
      MaximumRetryAttempts: 2,
    });
  });

  it("accepts what the SDKs send for unset blocks", () => {
    expect(() =>
      parseCreate({ ...base, FunctionResponseTypes: [], Topics: [], DestinationConfig: null }),
    ).not.toThrow();
  });

  it.each([
    [{ StartingPosition: "LATEST" }, /StartingPosition is not supported/],
    [{ FunctionResponseTypes: ["ReportBatchItemFailures"] }, /FunctionResponseTypes is not supported/],
    [{ ScalingConfig: { MaximumConcurrency: 2 } }, /ScalingConfig is not supported/],
    [{ Bogus: 1 }, /Unrecognized key/],
    [{ BatchSize: 0 }, /BatchSize/],
    [{ BatchSize: 10_001 }, /BatchSize/],
    [{ MaximumBatchingWindowInSeconds: 301 }, /MaximumBatchingWindowInSeconds/],
    [{ Queues: ["a", "b"] }, /exactly one queue/],
    [{ Queues: undefined }, /Queues is required/],
    [{ EventSourceArn: undefined }, /EventSourceArn is required/],
    [{ SourceAccessConfigurations: [{ Type: "VIRTUAL_HOST", URI: "/" }] }, /BASIC_AUTH/],
    [{ SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: "not-an-arn" }] }, /Secrets Manager secret ARN/],
    [{ SourceAccessConfigurations: [{ Type: "SASL_SCRAM_512_AUTH", URI: SECRET }] }, /BASIC_AUTH and VIRTUAL_HOST/],
    [{ FilterCriteria: { Filters: [{ Pattern: "[]" }] } }, /Invalid filter pattern/],
  ])("refuses %o", (extra, message) => {
    const err = (() => {
      try {
        parseCreate({ ...base, ...extra });
      } catch (e) {
        return e as { code: string; message: string };
      }
    })();
    expect(err?.code).toBe("InvalidParameterValueException");
    expect(err?.message).toMatch(message);
  });

  it("updates only what is given; empty filters remove them", () => {
    const c = newConfig(
      parseCreate({ ...base, FilterCriteria: { Filters: [{ Pattern: '{"data":{"a":[1]}}' }] } }),
      "rabbitmq",
    );
    const u = updatedConfig(c, parseUpdate({ BatchSize: 7, FilterCriteria: { Filters: [] } }, "rabbitmq"));
    expect(u.BatchSize).toBe(7);
    expect(u.Queues).toEqual(["q"]);
    expect(u.FilterCriteria).toBeUndefined();
    // An empty block too: what Terraform sends when a configuration drops its filter_criteria.
    expect(updatedConfig(c, parseUpdate({ FilterCriteria: {} }, "rabbitmq")).FilterCriteria).toBeUndefined();
    expect(updatedConfig(c, parseUpdate({ BatchSize: 3 }, "rabbitmq")).FilterCriteria).toEqual(c.FilterCriteria);
    expect(() => parseUpdate({ Queues: ["x"] }, "rabbitmq")).toThrow(/Unrecognized key/);
  });
});

describe("SQS mapping input", () => {
  const sqs = { FunctionName: "f", EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:orders" };
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as { code: string; message: string };
    }
    return undefined;
  };

  it("takes Lambda's SQS defaults and the generic options", () => {
    const input = parseCreate({
      ...sqs,
      Queues: [],
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    expect(input.kind).toBe("sqs");
    expect(newConfig(input, "sqs")).toEqual({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      Queues: [],
      SourceAccessConfigurations: [],
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it.each([
    [{ StartingPosition: "LATEST" }, "StartingPosition is not valid for SQS event sources."],
    [
      { DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:1:d" } } },
      "DestinationConfig is not valid for SQS event sources.",
    ],
    [{ MaximumRetryAttempts: 2 }, "MaximumRetryAttempts is not valid for SQS event sources."],
    [{ Queues: ["q"] }, "Queues is not valid for SQS event sources."],
    [
      { MetricsConfig: { Metrics: ["EventCount"] } },
      "MetricsConfig is not supported by Stratus for SQS event sources: remove it and try again",
    ],
  ])("refuses %o as Lambda does", (extra, message) => {
    const err = refusal(() => parseCreate({ ...sqs, ...extra }));
    expect(err?.code).toBe("InvalidParameterValueException");
    expect(err?.message).toBe(message);
  });

  it.each([
    [{ ScalingConfig: { MaximumConcurrency: 1 } }, /MaximumConcurrency/],
    [{ ScalingConfig: { MaximumConcurrency: 1001 } }, /MaximumConcurrency/],
    [{ FunctionResponseTypes: ["Other"] }, /FunctionResponseTypes/],
  ])("refuses out-of-range %o", (extra, message) => {
    const err = refusal(() => parseCreate({ ...sqs, ...extra }));
    expect(err?.code).toBe("InvalidParameterValueException");
    expect(err?.message).toMatch(message);
  });

  it("updates the generic options: an empty list or block removes them", () => {
    const c = newConfig(
      parseCreate({
        ...sqs,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 4 },
      }),
      "sqs",
    );
    expect(updatedConfig(c, parseUpdate({ BatchSize: 5 }, "sqs"))).toMatchObject({
      BatchSize: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    const cleared = updatedConfig(c, parseUpdate({ FunctionResponseTypes: [], ScalingConfig: {} }, "sqs"));
    expect(cleared.FunctionResponseTypes).toBeUndefined();
    expect(cleared.ScalingConfig).toBeUndefined();
    expect(() => parseUpdate({ MaximumRetryAttempts: 1 }, "sqs")).toThrow(/not valid for SQS/);
  });
});
