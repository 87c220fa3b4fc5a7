import { describe, expect, it } from "vitest";
import { InvalidDefinitionError } from "./errors.js";
import { validateDefinition } from "./validate.js";

const task = (state: Record<string, unknown>) =>
  JSON.stringify({ StartAt: "A", States: { A: { Type: "Task", End: true, ...state } } });
const fn = "arn:aws:lambda:us-east-1:123456789012:function:f";

describe("validateDefinition", () => {
  it.each([
    ["text that is not JSON", "{", "INVALID_JSON_DESCRIPTION"],
    ["a JSON array", "[]", "must be a JSON object"],
    [
      "a Next naming no state",
      JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" } } }),
      "MISSING_TRANSITION_TARGET",
    ],
    [
      "an unknown state type",
      JSON.stringify({ StartAt: "A", States: { A: { Type: "Sleep", End: true } } }),
      "SCHEMA_VALIDATION_FAILED",
    ],
    [
      "a distributed Map's ItemReader",
      JSON.stringify({
        StartAt: "M",
        States: {
          M: {
            Type: "Map",
            ItemReader: { Resource: "arn:aws:states:::s3:getObject" },
            ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
            End: true,
          },
        },
      }),
      "distributed Map (ItemReader)",
    ],
    [
      "a Map's ResultWriter",
      JSON.stringify({
        StartAt: "M",
        States: {
          M: {
            Type: "Map",
            ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: "b" } },
            ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } },
            End: true,
          },
        },
      }),
      "ResultWriter",
    ],
    ["another service integration", task({ Resource: "arn:aws:states:::sns:createTopic" }), "UNSUPPORTED_RESOURCE"],
    ["an SNS call with .sync", task({ Resource: "arn:aws:states:::sns:publish.sync" }), "UNSUPPORTED_RESOURCE"],
    ["an SQS call with .sync", task({ Resource: "arn:aws:states:::sqs:sendMessage.sync" }), "UNSUPPORTED_RESOURCE"],
    [
      "HeartbeatSeconds not below TimeoutSeconds",
      task({ Resource: fn, HeartbeatSeconds: 10, TimeoutSeconds: 10 }),
      "HeartbeatSeconds must be less than TimeoutSeconds",
    ],
    [
      "Assign in a JSONPath state",
      JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Assign: { x: 1 }, End: true } } }),
      "Assign is supported in JSONata states only",
    ],
    [
      "an unknown intrinsic",
      task({ Resource: fn, Parameters: { "a.$": "States.Nope($.x)" } }),
      "/States/A/Parameters/a.$ is invalid",
    ],
    [
      "a broken intrinsic",
      task({ Resource: fn, Parameters: { "a.$": "States.Format('x', " } }),
      "/States/A/Parameters/a.$ is invalid",
    ],
    [
      "a broken JSONata expression",
      JSON.stringify({
        QueryLanguage: "JSONata",
        StartAt: "A",
        States: { A: { Type: "Pass", Output: "{% $states.input. %}", End: true } },
      }),
      "/States/A/Output is invalid",
    ],
  ])("refuses %s", (_what, text, problem) => {
    let error: unknown;
    try {
      validateDefinition(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    const e = error as InvalidDefinitionError;
    expect({ code: e.code, status: e.status, kind: e.kind }).toEqual({
      code: "InvalidDefinition",
      status: 400,
      kind: "client",
    });
    expect(e.message).toContain(problem);
  });

  it.each([
    ["a function ARN", task({ Resource: fn })],
    [
      "lambda:invoke.waitForTaskToken",
      task({
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: { FunctionName: fn, Payload: { "t.$": "$$.Task.Token" } },
      }),
    ],
    [
      "states:startExecution.sync:2",
      task({
        Resource: "arn:aws:states:::states:startExecution.sync:2",
        Parameters: { StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:c" },
      }),
    ],
    [
      "sns:publish.waitForTaskToken",
      task({
        Resource: "arn:aws:states:::sns:publish.waitForTaskToken",
        Parameters: { TopicArn: "arn:aws:sns:us-east-1:123456789012:t", Message: { "t.$": "$$.Task.Token" } },
      }),
    ],
    [
      "nested intrinsics",
      task({ Resource: fn, Parameters: { "a.$": "States.Format('{}', States.ArrayLength($.x))" } }),
    ],
  ])("accepts %s", (_what, text) => {
    expect(validateDefinition(text).StartAt).toBe("A");
  });
});
