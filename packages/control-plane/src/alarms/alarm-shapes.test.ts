import { describe, expect, it } from "vitest";
import type { AlarmConfig } from "../store/alarm-types.js";
import { nextEvaluation } from "./alarm-evaluator.js";
import { lambdaEvent, stateItem } from "./alarm-shapes.js";
import { evaluate, type Slot } from "./evaluation.js";
import { stateReason, stateReasonData } from "./state-reason.js";

const alarm: AlarmConfig & { accountId: string } = {
  accountId: "111122223333",
  name: "errors",
  description: "pages",
  actionsEnabled: true,
  okActions: [],
  alarmActions: [],
  insufficientDataActions: [],
  namespace: "AWS/Lambda",
  metricName: "Errors",
  dimensions: [{ Name: "FunctionName", Value: "f" }],
  statistic: "Sum",
  period: 60,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
};

const T = Date.parse("2026-08-04T12:30:00Z") / 1000;

describe("the Lambda action event", () => {
  it("is CloudWatch's alarm event", () => {
    const from = { value: "OK" as const, reason: "was fine", at: new Date("2026-08-04T12:00:00Z") };
    const to = { value: "ALARM" as const, reason: "broke", reasonData: "{}", at: new Date("2026-08-04T12:31:02.5Z") };
    const event = lambdaEvent(alarm, "us-east-1", from, to);
    expect(event).toEqual({
      source: "aws.cloudwatch",
      alarmArn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:errors",
      accountId: "111122223333",
      time: "2026-08-04T12:31:02.500+0000",
      region: "us-east-1",
      alarmData: {
        alarmName: "errors",
        state: { value: "ALARM", reason: "broke", reasonData: "{}", timestamp: "2026-08-04T12:31:02.500+0000" },
        previousState: { value: "OK", reason: "was fine", timestamp: "2026-08-04T12:00:00.000+0000" },
        configuration: {
          description: "pages",
          metrics: [
            {
              id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
              metricStat: {
                metric: { namespace: "AWS/Lambda", name: "Errors", dimensions: { FunctionName: "f" } },
                period: 60,
                stat: "Sum",
              },
              returnData: true,
            },
          ],
        },
      },
    });
    const item = stateItem("errors", from, to);
    expect(item.summary).toBe("Alarm updated from OK to ALARM");
    expect(JSON.parse(item.data)).toMatchObject({
      oldState: { stateValue: "OK" },
      newState: { stateValue: "ALARM", stateReasonData: {} },
    });
  });
});

describe("state reasons", () => {
  const slots: Slot[] = [{ start: T - 120 }, { start: T - 60 }, { start: T, value: 3, sampleCount: 3 }];

  it("says which datapoint crossed the threshold, and gives CloudWatch's reason data", () => {
    const v = evaluate(
      { ...alarm, datapointsToAlarm: 1, treatMissingData: "notBreaching", comparisonOperator: "GreaterThanThreshold" },
      slots,
    );
    expect(stateReason(alarm, v, "ALARM", "OK", "NonBreaching")).toBe(
      "Threshold Crossed: 1 datapoint [3.0 (04/08/26 12:30:00)] was greater than the threshold (0.0).",
    );
    expect(JSON.parse(stateReasonData(alarm, v, new Date("2026-08-04T12:31:02Z")))).toEqual({
      version: "1.0",
      queryDate: "2026-08-04T12:31:02.000+0000",
      startDate: "2026-08-04T12:30:00.000+0000",
      statistic: "Sum",
      period: 60,
      recentDatapoints: [3],
      threshold: 0,
      evaluatedDatapoints: [{ timestamp: "2026-08-04T12:30:00.000+0000", sampleCount: 3, value: 3 }],
    });
  });

  it("says how missing datapoints were treated", () => {
    const none = [{ start: T - 120 }, { start: T - 60 }, { start: T }];
    const rule = { ...alarm, datapointsToAlarm: 1 };
    const ok = evaluate({ ...rule, treatMissingData: "notBreaching" }, none);
    expect(stateReason(alarm, ok, "OK", "ALARM", "NonBreaching")).toBe(
      "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].",
    );
    const unknown = evaluate({ ...rule, treatMissingData: "missing" }, none);
    expect(stateReason(alarm, unknown, "INSUFFICIENT_DATA", "OK", "Missing")).toBe(
      "Insufficient Data: 1 datapoint was unknown.",
    );
  });

  it("counts M out of N", () => {
    const three = { ...alarm, evaluationPeriods: 3, datapointsToAlarm: 2 };
    const points: Slot[] = [0, 1, 2, 3, 4].map((i) => ({
      start: T + i * 60,
      value: i % 2 === 0 ? 5 : 0,
      sampleCount: 1,
    }));
    const v = evaluate({ ...three, datapointsToAlarm: 2, treatMissingData: "missing" }, points);
    expect(v.state).toBe("ALARM");
    expect(stateReason(three, v, "ALARM", "OK", "Missing")).toBe(
      "Threshold Crossed: 2 out of the last 3 datapoints [5.0 (04/08/26 12:34:00), 5.0 (04/08/26 12:32:00)] were greater than the threshold (0.0) (minimum 2 datapoints for OK -> ALARM transition).",
    );
  });
});

describe("nextEvaluation", () => {
  it("is the end of the next period of at most a minute, two seconds settled", () => {
    const at = (s: string) => nextEvaluation({ period: 10 }, new Date(s)).toISOString();
    expect(at("2026-08-04T12:30:02.000Z")).toBe("2026-08-04T12:30:12.000Z");
    expect(at("2026-08-04T12:30:01.000Z")).toBe("2026-08-04T12:30:02.000Z");
    expect(nextEvaluation({ period: 300 }, new Date("2026-08-04T12:30:05Z")).toISOString()).toBe(
      "2026-08-04T12:31:02.000Z",
    );
  });
});
