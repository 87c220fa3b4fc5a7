import { describe, expect, it } from "vitest";
import {
  effectiveRetries,
  isKafkaCreate,
  newKafkaConfig,
  parseKafkaCreate,
  parseKafkaUpdate,
  updatedKafkaConfig,
} from "./kafka-input.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-AbCdEf";
const base = {
  FunctionName: "f",
  Topics: ["orders"],
  StartingPosition: "TRIM_HORIZON",
  SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ["127.0.0.1:9092"] } },
};
const UUID = "00000000-0000-4000-8000-000000000000";

describe("Kafka mapping input", () => {
  it("is told from a RabbitMQ one by SelfManagedEventSource", () => {
    expect(isKafkaCreate(base)).toBe(true);
    expect(isKafkaCreate({ FunctionName: "f", EventSourceArn: "arn:aws:mq:x", Queues: ["q"] })).toBe(false);
  });

  it("takes Lambda's defaults, the consumer group being the mapping's UUID", () => {
    expect(newKafkaConfig(parseKafkaCreate(base), UUID)).toEqual({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      Topics: ["orders"],
      StartingPosition: "TRIM_HORIZON",
      SelfManagedEventSource: base.SelfManagedEventSource,
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: UUID },
      SourceAccessConfigurations: [],
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
    });
  });

  it("keeps AT_TIMESTAMP's time (Unix seconds)", () => {
    const c = newKafkaConfig(
      parseKafkaCreate({ ...base, StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: 1_700_000_000.5 }),
      UUID,
    );
    expect(c).toMatchObject({ StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: 1_700_000_000.5 });
  });

  it("keeps a given consumer group, credentials and destination", () => {
    const c = newKafkaConfig(
      parseKafkaCreate({
        ...base,
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "billing" },
        SourceAccessConfigurations: [{ Type: "SASL_SCRAM_512_AUTH", URI: SECRET }],
        DestinationConfig: { OnFailure: { Destination: "kafka://orders-failed" } },
      }),
      UUID,
    );
    expect(c.SelfManagedKafkaEventSourceConfig.ConsumerGroupId).toBe("billing");
    expect(c.SourceAccessConfigurations).toEqual([{ Type: "SASL_SCRAM_512_AUTH", URI: SECRET }]);
    // Lambda's rule: infinite retries with an OnFailure destination are 10.
    expect(effectiveRetries(c)).toBe(10);
  });

  it.each([
    [{ StartingPosition: "AT_TIMESTAMP" }, /StartingPositionTimestamp must be set/],
    [
      { StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: Date.now() / 1000 + 3600 },
      /cannot be in the future/,
    ],
    [{ StartingPositionTimestamp: 1_700_000_000 }, /only valid when StartingPosition is AT_TIMESTAMP/],
    [{ StartingPosition: "AT_SEQUENCE" }, /TRIM_HORIZON, LATEST or AT_TIMESTAMP/],
    [{ StartingPosition: undefined }, /StartingPosition is required/],
    [{ Topics: ["a", "b"] }, /exactly one topic/],
    [{ Topics: ["bad topic"] }, /not a valid Kafka topic/],
    [{ EventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/x/y" }, /no EventSourceArn/],
    [{ Queues: ["q"] }, /Queues is not supported/],
    [{ ParallelizationFactor: 2 }, /ParallelizationFactor is not supported/],
    [{ FunctionResponseTypes: ["Other"] }, /FunctionResponseTypes/],
    [{ ScalingConfig: { MaximumConcurrency: 2 } }, /ScalingConfig is not supported/],
    [{ SourceAccessConfigurations: [{ Type: "VPC_SUBNET", URI: "subnet:x" }] }, /VPC_SUBNET and VPC_SECURITY_GROUP/],
    [{ SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: "not-an-arn" }] }, /Secrets Manager secret ARN/],
    [
      {
        SourceAccessConfigurations: [
          { Type: "BASIC_AUTH", URI: SECRET },
          { Type: "SASL_SCRAM_256_AUTH", URI: SECRET },
        ],
      },
      /at most one authentication/,
    ],
    [
      { DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:123456789012:q" } } },
      /kafka:\/\/<topic>/,
    ],
    [{ DestinationConfig: { OnFailure: { Destination: "kafka://orders" } } }, /must differ/],
    [{ MaximumRecordAgeInSeconds: 30 }, /-1 or between 60/],
    [{ MaximumRetryAttempts: -2 }, /MaximumRetryAttempts/],
    [{ SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ["nohost"] } } }, /host:port/],
    [{ Surprise: 1 }, /Unrecognized key/],
  ])("refuses %o", (extra, message) => {
    expect(() => parseKafkaCreate({ ...base, ...extra })).toThrow(message);
  });

  it("updates what Lambda lets change and refuses the rest", () => {
    const c = newKafkaConfig(parseKafkaCreate(base), UUID);
    const u = parseKafkaUpdate({ BatchSize: 5, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true }, c);
    expect(updatedKafkaConfig(c, u)).toMatchObject({
      BatchSize: 5,
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      Topics: ["orders"],
    });
    const on = updatedKafkaConfig(c, parseKafkaUpdate({ FunctionResponseTypes: ["ReportBatchItemFailures"] }, c));
    expect(on.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(
      updatedKafkaConfig(on, parseKafkaUpdate({ FunctionResponseTypes: [] }, on)).FunctionResponseTypes,
    ).toBeUndefined();
    expect(() => parseKafkaUpdate({ Topics: ["other"] }, c)).toThrow(/Unrecognized key/);
    expect(() => parseKafkaUpdate({ DestinationConfig: { OnFailure: { Destination: "kafka://orders" } } }, c)).toThrow(
      /must differ/,
    );
  });
});
