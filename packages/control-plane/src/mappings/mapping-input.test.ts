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
    expect(newConfig(parseCreate(base))).toEqual({
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
    const c = newConfig(parseCreate({ ...base, FilterCriteria: { Filters: [{ Pattern: '{"data":{"a":[1]}}' }] } }));
    const u = updatedConfig(c, parseUpdate({ BatchSize: 7, FilterCriteria: { Filters: [] } }));
    expect(u.BatchSize).toBe(7);
    expect(u.Queues).toEqual(["q"]);
    expect(u.FilterCriteria).toBeUndefined();
    expect(() => parseUpdate({ Queues: ["x"] })).toThrow(/Unrecognized key/);
  });
});
