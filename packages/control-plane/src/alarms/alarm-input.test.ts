import { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { actionFault } from "./action-arns.js";
import { missingDataOf, readPutMetricAlarm, tagList } from "./alarm-input.js";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const FN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:pager`;

const base = {
  AlarmName: "errors",
  MetricName: "Errors",
  Namespace: "AWS/Lambda",
  Statistic: "Sum",
  Dimensions: [{ Name: "FunctionName", Value: "f" }],
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 0,
  ComparisonOperator: "GreaterThanThreshold",
};

const read = (over: Record<string, unknown>) => readPutMetricAlarm({ ...base, ...over }, ACCOUNT, REGION);

function refusal(over: Record<string, unknown>): StratusError {
  try {
    read(over);
  } catch (err) {
    if (err instanceof StratusError) return err;
    throw err;
  }
  throw new Error("accepted");
}

describe("readPutMetricAlarm", () => {
  it("reads every field, leaving out what was not given", () => {
    const { config, tags } = read({
      AlarmDescription: "d",
      AlarmActions: [FN],
      OKActions: [`${FN}:prod`],
      DatapointsToAlarm: 1,
      TreatMissingData: "notBreaching",
      Unit: "Count",
      Tags: [{ Key: "team", Value: "core" }],
    });
    expect(config).toEqual({
      name: "errors",
      description: "d",
      actionsEnabled: true,
      okActions: [`${FN}:prod`],
      alarmActions: [FN],
      insufficientDataActions: [],
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: [{ Name: "FunctionName", Value: "f" }],
      statistic: "Sum",
      period: 60,
      unit: "Count",
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    expect({ ...tags }).toEqual({ team: "core" });
    expect(read({}).config.datapointsToAlarm).toBeUndefined();
  });

  it("reads awsQuery's form text: numbers, booleans and an empty list", () => {
    const { config } = read({
      Period: "10",
      EvaluationPeriods: "3",
      DatapointsToAlarm: "2",
      Threshold: "1.5",
      ActionsEnabled: "false",
      AlarmActions: "",
      ExtendedStatistic: "p99",
      Statistic: undefined,
      EvaluateLowSampleCountPercentile: "ignore",
    });
    expect(config).toMatchObject({
      period: 10,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      threshold: 1.5,
      actionsEnabled: false,
      alarmActions: [],
      extendedStatistic: "p99",
      evaluateLowSampleCountPercentile: "ignore",
    });
    expect(config.statistic).toBeUndefined();
  });

  it("keeps TreatMissingData as written and reads it in any case", () => {
    const { config } = read({ TreatMissingData: "NotBreaching" });
    expect(config.treatMissingData).toBe("NotBreaching");
    expect(missingDataOf(config)).toBe("notBreaching");
    expect(missingDataOf({})).toBe("missing");
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      "metric math",
      { Metrics: [{ Id: "m1", Expression: "SUM(METRICS())" }] },
      "InvalidParameterValueException",
      /Metrics/,
    ],
    ["an anomaly band", { ThresholdMetricId: "ad1" }, "InvalidParameterValueException", /ThresholdMetricId/],
    [
      "an anomaly operator",
      { ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" },
      "InvalidParameterValueException",
      /anomaly detection band/,
    ],
    ["an unknown operator", { ComparisonOperator: "Above" }, "InvalidParameterValueException", /ComparisonOperator/],
    ["a newer setting", { EvaluationInterval: 60 }, "InvalidParameterValueException", /EvaluationInterval/],
    ["an unknown field", { Colour: "red" }, "InvalidParameterValueException", /Colour/],
    ["Period 45", { Period: 45 }, "InvalidParameterValueException", /10, 20, 30 or a multiple of 60/],
    ["Period 90", { Period: 90 }, "InvalidParameterValueException", /10, 20, 30 or a multiple of 60/],
    ["no Period", { Period: undefined }, "MissingRequiredParameterException", /Period/],
    ["EvaluationPeriods 0", { EvaluationPeriods: 0 }, "InvalidParameterValueException", /EvaluationPeriods/],
    [
      "DatapointsToAlarm over EvaluationPeriods",
      { EvaluationPeriods: 2, DatapointsToAlarm: 3 },
      "InvalidParameterValueException",
      /DatapointsToAlarm/,
    ],
    ["more than a day", { Period: 600, EvaluationPeriods: 145 }, "InvalidParameterValueException", /one day/],
    ["both statistics", { ExtendedStatistic: "p90" }, "InvalidParameterCombinationException", /mutually exclusive/],
    ["no statistic", { Statistic: undefined }, "InvalidParameterCombinationException", /Statistic/],
    ["a bad statistic", { Statistic: "Median" }, "InvalidParameterValueException", /Statistic/],
    [
      "a trimmed mean",
      { Statistic: undefined, ExtendedStatistic: "tm90" },
      "InvalidParameterValueException",
      /not supported by Stratus/,
    ],
    ["a bad TreatMissingData", { TreatMissingData: "zero" }, "InvalidParameterValueException", /TreatMissingData/],
    ["a bad Unit", { Unit: "Furlongs" }, "InvalidParameterValueException", /Unit/],
    ["a long name", { AlarmName: "a".repeat(256) }, "InvalidParameterValueException", /AlarmName/],
    ["a control character", { AlarmName: "a\nb" }, "InvalidParameterValueException", /AlarmName/],
    ["no name", { AlarmName: undefined }, "MissingRequiredParameterException", /AlarmName/],
    ["no threshold", { Threshold: undefined }, "MissingRequiredParameterException", /Threshold/],
    [
      "a dimension twice",
      {
        Dimensions: [
          { Name: "FunctionName", Value: "a" },
          { Name: "FunctionName", Value: "b" },
        ],
      },
      "InvalidParameterValueException",
      /twice/,
    ],
    [
      "another account's SNS topic",
      { AlarmActions: [`arn:aws:sns:${REGION}:999988887777:pager`] },
      "InvalidParameterValueException",
      /AlarmActions\.member\.1: .*another account's topic/,
    ],
    [
      "six actions",
      { OKActions: Array.from({ length: 6 }, (_, i) => `${FN}${i}`) },
      "InvalidParameterValueException",
      /OKActions.*5/,
    ],
    ["a tag key aws:", { Tags: [{ Key: "aws:x", Value: "v" }] }, "InvalidParameterValueException", /Tags/],
  ])("refuses %s", (_name, over, code, message) => {
    const err = refusal(over);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });
});

describe("actionFault", () => {
  it.each<[string, RegExp | undefined]>([
    [FN, undefined],
    [`${FN}:live`, undefined],
    [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:pager`, /another region/],
    [`arn:aws:lambda:${REGION}:999988887777:function:pager`, /another account/],
    [`arn:aws:lambda:${REGION}:${ACCOUNT}:layer:l:1`, /not a Lambda function ARN/],
    [`arn:aws:sns:${REGION}:${ACCOUNT}:topic`, undefined],
    [`arn:aws:sns:eu-west-1:${ACCOUNT}:topic`, /another region/],
    [`arn:aws:sns:${REGION}:${ACCOUNT}:a:b:c`, /not an SNS topic ARN/],
    [`arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:x`, /Auto Scaling/],
    [`arn:aws:automate:${REGION}:ec2:stop`, /EC2 action/],
    [`arn:aws:ssm:${REGION}:${ACCOUNT}:opsitem:3`, /Systems Manager/],
    ["not an arn", /not an action Stratus can carry out/],
  ])("%s", (arn, fault) => {
    const why = actionFault(arn, ACCOUNT, REGION);
    if (fault) expect(why).toMatch(fault);
    else expect(why).toBeUndefined();
  });
});

describe("tagList", () => {
  it("refuses a key given twice and more than 50 tags", () => {
    expect(() =>
      tagList(
        [
          { Key: "a", Value: "1" },
          { Key: "a", Value: "2" },
        ],
        "Tags",
      ),
    ).toThrow(/twice/);
    expect(() =>
      tagList(
        Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "" })),
        "Tags",
      ),
    ).toThrow(/50/);
  });
});
