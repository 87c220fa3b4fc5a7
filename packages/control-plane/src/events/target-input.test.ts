// A target's input as EventBridge makes it: Input, InputPath, and InputTransformer
// templates (JSON with placeholders in and out of strings, quoted string templates,
// plain text, predefined variables) on the documentation's EC2 example event.
import { describe, expect, it } from "vitest";
import { envelope, scheduledEvent } from "./envelope.js";
import { fillTemplate, select, targetPayload } from "./target-input.js";

const EVENT = envelope({
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  detailType: "EC2 Instance State-change Notification",
  source: "aws.ec2",
  accountId: "123456789012",
  time: new Date("2015-11-11T21:29:54.123Z"),
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-0123456789", state: "RUNNING", count: 3, tags: { a: 'say "hi"' } },
});
const CTX = {
  ruleArn: "arn:aws:events:us-east-1:123456789012:rule/r",
  ruleName: "r",
  ingestionTime: "2015-11-11T21:29:55Z",
};
const MAP = {
  instance: "$.detail.instance-id",
  state: "$.detail.state",
  count: "$.detail.count",
  tags: "$.detail.tags",
};
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = MAP) =>
  targetPayload({ InputTransformer: { InputPathsMap, InputTemplate } }, EVENT, CTX);

describe("a target's input", () => {
  it("is the event itself by default, time to the second", () => {
    expect(JSON.parse(targetPayload({}, EVENT, CTX))).toEqual({ ...EVENT, time: "2015-11-11T21:29:54Z" });
  });
  it("is Input as given", () => {
    expect(targetPayload({ Input: '{"fixed":1}' }, EVENT, CTX)).toBe('{"fixed":1}');
  });
  it.each([
    ["$.detail", EVENT.detail],
    ["$.detail.state", "RUNNING"],
    ["$.resources[0]", "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    ["$.detail.nothing", null],
    ["$", EVENT],
  ])("is what InputPath %s selects", (path, expected) => {
    expect(JSON.parse(targetPayload({ InputPath: path }, EVENT, CTX))).toEqual(expected);
  });
  it("selects several values as their list", () => {
    expect(select({ a: [{ b: 1 }, { b: 2 }] }, "$.a[*].b")).toEqual([1, 2]);
  });
});

describe("InputTransformer templates", () => {
  it.each([
    [
      '{"instance": <instance>, "state": [9, <state>, true]}',
      '{"instance": "i-0123456789", "state": [9, "RUNNING", true]}',
    ],
    ['{"instance": "<instance>", "n": <count>}', '{"instance": "i-0123456789", "n": 3}'],
    ['"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    ['"<instance> is in state \\"<state>\\""', '"i-0123456789 is in state \\"RUNNING\\""'],
    ["<instance> is in state <state>", "i-0123456789 is in state RUNNING"],
    ['{"tags": "<tags>"}', '{"tags": "{\\"a\\":\\"say \\\\\\"hi\\\\\\"\\"}"}'],
    ['{"tags": <tags>}', '{"tags": {"a":"say \\"hi\\""}}'],
    ['{"missing": <nope>, "text": "<nope>"}', '{"missing": null, "text": ""}'],
    ['{"a": "<not-a-variable>"}', '{"a": "<not-a-variable>"}'],
  ])("%s", (template, expected) => {
    expect(transform(template, { ...MAP, nope: "$.detail.nope" })).toBe(expected);
  });
  it("makes valid JSON of JSON templates, values escaped", () => {
    expect(JSON.parse(transform('{"tags": "<tags>"}'))).toEqual({ tags: '{"a":"say \\"hi\\""}' });
  });
  it("fills the predefined variables", () => {
    const out = JSON.parse(
      transform(
        '{"rule": "<aws.events.rule-arn>", "name": "<aws.events.rule-name>", "at": "<aws.events.event.ingestion-time>", "e": <aws.events.event>, "all": <aws.events.event.json>}',
        {},
      ),
    );
    expect(out.rule).toBe(CTX.ruleArn);
    expect(out.name).toBe("r");
    expect(out.at).toBe(CTX.ingestionTime);
    expect(out.e.detail).toBeUndefined();
    expect(out.e.source).toBe("aws.ec2");
    expect(out.all.detail.state).toBe("RUNNING");
  });
  it("leaves a template without placeholders alone", () => {
    expect(fillTemplate('{"a": 1}', {})).toBe('{"a": 1}');
  });
});

describe("the Scheduled Event", () => {
  it("has EventBridge's shape", () => {
    const rule = "arn:aws:events:us-east-1:123456789012:rule/every-minute";
    expect(scheduledEvent("id-1", "123456789012", "us-east-1", rule, new Date("2026-12-04T10:01:00.000Z"))).toEqual({
      version: "0",
      id: "id-1",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2026-12-04T10:01:00Z",
      region: "us-east-1",
      resources: [rule],
      detail: {},
    });
  });
});
