import { describe, expect, it } from "vitest";
import { parsePrincipal, permissionInput, statementIdToRemove } from "./policy-input.js";

const base = { StatementId: "s1", Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com" };

describe("permissionInput", () => {
  it("keeps the statement asked for, with its conditions and RevisionId", () => {
    expect(
      permissionInput({
        ...base,
        SourceArn: "arn:aws:events:us-east-1:111111111111:rule/nightly",
        SourceAccount: "111111111111",
        PrincipalOrgID: "o-abcdefghij",
        EventSourceToken: "amzn1.ask.skill-1",
        FunctionUrlAuthType: "AWS_IAM",
        RevisionId: "r1",
        InvokedViaFunctionUrl: false,
      }),
    ).toEqual({
      statement: {
        sid: "s1",
        action: "lambda:InvokeFunction",
        principal: { service: "events.amazonaws.com" },
        sourceArn: "arn:aws:events:us-east-1:111111111111:rule/nightly",
        sourceAccount: "111111111111",
        principalOrgId: "o-abcdefghij",
        eventSourceToken: "amzn1.ask.skill-1",
        functionUrlAuthType: "AWS_IAM",
      },
      revisionId: "r1",
    });
    expect(permissionInput(base)).toEqual({
      statement: { sid: "s1", action: "lambda:InvokeFunction", principal: { service: "events.amazonaws.com" } },
    });
  });

  it.each([["lambda:InvokeFunctionUrl"], ["lambda:GetFunction"], ["lambda:*"], ["*"], ["lambda:invokefunction"]])(
    "accepts the action %s",
    (Action) => {
      expect(permissionInput({ ...base, Action }).statement.action).toBe(Action);
    },
  );

  it.each<[string, unknown, RegExp]>([
    ["a body that is not an object", [], /JSON object/],
    ["an unknown parameter, by name", { ...base, Condition: {} }, /Unknown parameter Condition/],
    [
      "InvokedViaFunctionUrl asked for",
      { ...base, InvokedViaFunctionUrl: true },
      /InvokedViaFunctionUrl is not supported/,
    ],
    ["a missing StatementId", { Action: base.Action, Principal: base.Principal }, /StatementId is required/],
    ["a StatementId with a dot", { ...base, StatementId: "example.com" }, /StatementId/],
    ["a StatementId of 101 characters", { ...base, StatementId: "s".repeat(101) }, /StatementId/],
    ["a missing Action", { StatementId: "s", Principal: base.Principal }, /Action is required/],
    ["an action Stratus does not keep", { ...base, Action: "lambda:CreateFunction" }, /Action/],
    ["a missing Principal", { StatementId: "s", Action: base.Action }, /Principal is required/],
    ["a Principal that is a number", { ...base, Principal: 123456789012 }, /Principal: must be a string/],
    ["a SourceArn that is no ARN", { ...base, SourceArn: "rule/nightly" }, /SourceArn/],
    ["a SourceArn Postgres cannot store", { ...base, SourceArn: "arn:aws:s3:::a\u0000b" }, /SourceArn/],
    ["a short SourceAccount", { ...base, SourceAccount: "1234" }, /SourceAccount/],
    ["a bad PrincipalOrgID", { ...base, PrincipalOrgID: "org" }, /PrincipalOrgID/],
    ["a bad FunctionUrlAuthType", { ...base, FunctionUrlAuthType: "OPEN" }, /FunctionUrlAuthType/],
    ["a bad EventSourceToken", { ...base, EventSourceToken: "a b" }, /EventSourceToken/],
  ])("refuses %s as InvalidParameterValueException", (_what, body, message) => {
    expect(() => permissionInput(body)).toThrow(
      expect.objectContaining({ code: "InvalidParameterValueException", message: expect.stringMatching(message) }),
    );
  });
});

describe("parsePrincipal", () => {
  it.each([
    ["*", "*"],
    ["222222222222", { account: "222222222222" }],
    ["arn:aws:iam::222222222222:root", { account: "222222222222" }],
    ["events.amazonaws.com", { service: "events.amazonaws.com" }],
    ["alexa-appkit.amazon.com", { service: "alexa-appkit.amazon.com" }],
  ])("reads %s", (raw, expected) => {
    expect(parsePrincipal(raw)).toEqual(expected);
  });

  it.each([["example.com"], ["2222"], ["arn:aws:iam::2222:root"], ["*.amazonaws.com"], ["events.amazonaws.com.evil"]])(
    "refuses %s with Lambda's message",
    (raw) => {
      expect(() => parsePrincipal(raw)).toThrow(
        "The provided principal was invalid. Please check the principal and try again.",
      );
    },
  );

  it("refuses an IAM role by name: Stratus knows callers by account", () => {
    expect(() => parsePrincipal("arn:aws:iam::222222222222:role/deployer")).toThrow(/grant the account/);
  });
});

describe("statementIdToRemove", () => {
  it("accepts what Lambda's model allows in the path, dots included", () => {
    expect(statementIdToRemove("a.b-c_d")).toBe("a.b-c_d");
    expect(() => statementIdToRemove("a b")).toThrow(
      expect.objectContaining({ code: "InvalidParameterValueException" }),
    );
  });
});
