import { describe, expect, it } from "vitest";
import { askedBy, type RequestView } from "./request-resources.js";

const view = (over: Partial<RequestView>): RequestView => ({
  service: "lambda",
  operation: "GetFunction",
  path: "/",
  params: {},
  query: {},
  body: () => ({}),
  accountId: "111122223333",
  region: "us-east-1",
  ...over,
});
const FN = "arn:aws:lambda:us-east-1:111122223333:function:";

describe("askedBy", () => {
  it.each([
    ["a function by name", view({ params: { name: "f" } }), "lambda:GetFunction", [`${FN}f`]],
    [
      "with its qualifier",
      view({ params: { name: "f" }, query: { Qualifier: "prod" } }),
      "lambda:GetFunction",
      [`${FN}f:prod`],
    ],
    ["by ARN", view({ params: { name: `${FN}g:1` } }), "lambda:GetFunction", [`${FN}g:1`]],
    ["a list", view({ operation: "ListFunctions" }), "lambda:ListFunctions", ["*"]],
    [
      "create",
      view({ operation: "CreateFunction", body: () => ({ FunctionName: "n" }) }),
      "lambda:CreateFunction",
      [`${FN}n`],
    ],
    [
      "a layer version",
      view({
        operation: "GetLayerVersion",
        path: "/2018-10-31/layers/l/versions/2",
        params: { name: "l", version: "2" },
      }),
      "lambda:GetLayerVersion",
      ["arn:aws:lambda:us-east-1:111122223333:layer:l:2"],
    ],
    [
      "a secret by name",
      view({ service: "secretsmanager", operation: "GetSecretValue", body: () => ({ SecretId: "db" }) }),
      "secretsmanager:GetSecretValue",
      ["arn:aws:secretsmanager:us-east-1:111122223333:secret:db"],
    ],
    [
      "an execution",
      view({ service: "states", operation: "StartExecution", body: () => ({ stateMachineArn: "arn:aws:states:x" }) }),
      "states:StartExecution",
      ["arn:aws:states:x"],
    ],
    [
      "events on two buses",
      view({ service: "events", operation: "PutEvents", body: () => ({ Entries: [{}, { EventBusName: "b" }] }) }),
      "events:PutEvents",
      ["arn:aws:events:us-east-1:111122223333:event-bus/default", "arn:aws:events:us-east-1:111122223333:event-bus/b"],
    ],
    ["cloudwatch", view({ service: "monitoring", operation: "GetMetricData" }), "cloudwatch:GetMetricData", ["*"]],
    [
      "an alarm",
      view({ service: "monitoring", operation: "PutMetricAlarm", body: () => ({ AlarmName: "high" }) }),
      "cloudwatch:PutMetricAlarm",
      ["arn:aws:cloudwatch:us-east-1:111122223333:alarm:high"],
    ],
    [
      "alarms by name",
      view({ service: "monitoring", operation: "DeleteAlarms", body: () => ({ AlarmNames: ["a", "b"] }) }),
      "cloudwatch:DeleteAlarms",
      ["arn:aws:cloudwatch:us-east-1:111122223333:alarm:a", "arn:aws:cloudwatch:us-east-1:111122223333:alarm:b"],
    ],
    [
      "an alarm's tags",
      view({ service: "monitoring", operation: "TagResource", body: () => ({ ResourceARN: "arn:aws:cloudwatch:x" }) }),
      "cloudwatch:TagResource",
      ["arn:aws:cloudwatch:x"],
    ],
    [
      "a role",
      view({ service: "iam", operation: "GetRole", body: () => ({ RoleName: "r" }) }),
      "iam:GetRole",
      ["arn:aws:iam::111122223333:role/r"],
    ],
    [
      "Stratus' own API",
      view({ operation: "GetUsageReport", path: "/stratus/2026-11-01/usage" }),
      "stratus:GetUsageReport",
      ["*"],
    ],
  ])("%s", (_name, v, action, resources) => {
    expect(askedBy(v)).toEqual({ action, resources });
  });
});
