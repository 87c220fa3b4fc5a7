import { describe, expect, it } from "vitest";
import type { PolicyStatement } from "../policy.js";
import { type AccessRequest, allows, arnLike } from "./policy-check.js";

const OTHER = "222222222222";
const invoke = (extra: Partial<AccessRequest> = {}): AccessRequest => ({
  action: "lambda:InvokeFunction",
  principalAccount: OTHER,
  ...extra,
});
const grant = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  sid: "s",
  action: "lambda:InvokeFunction",
  principal: { account: OTHER },
  ...extra,
});

describe("allows", () => {
  it.each<[string, PolicyStatement, AccessRequest, boolean]>([
    ["the account granted", grant(), invoke(), true],
    ["another account", grant(), invoke({ principalAccount: "333333333333" }), false],
    ["an anonymous caller for an account grant", grant(), invoke({ principalAccount: undefined }), false],
    ["anyone under *", grant({ principal: "*" }), invoke(), true],
    ["an anonymous caller under *", grant({ principal: "*" }), invoke({ principalAccount: undefined }), true],
    ["another action", grant(), invoke({ action: "lambda:GetFunction" }), false],
    ["the action in another case", grant({ action: "LAMBDA:invokefunction" }), invoke(), true],
    ["any Lambda action under lambda:*", grant({ action: "lambda:*" }), invoke({ action: "lambda:GetFunction" }), true],
    ["any action under *", grant({ action: "*" }), invoke(), true],
    ["an account for a service grant", grant({ principal: { service: "events.amazonaws.com" } }), invoke(), false],
    [
      "the service granted",
      grant({ principal: { service: "events.amazonaws.com" } }),
      invoke({ principalAccount: undefined, service: "events.amazonaws.com" }),
      true,
    ],
    [
      "a call without the SourceArn asked for",
      grant({ sourceArn: "arn:aws:events:us-east-1:111111111111:rule/r" }),
      invoke(),
      false,
    ],
    [
      "a matching SourceArn",
      grant({ sourceArn: "arn:aws:events:us-east-1:111111111111:rule/*" }),
      invoke({ sourceArn: "arn:aws:events:us-east-1:111111111111:rule/nightly" }),
      true,
    ],
    ["a SourceAccount the call lacks", grant({ principal: "*", sourceAccount: OTHER }), invoke(), false],
    [
      "the SourceAccount asked for",
      grant({ principal: "*", sourceAccount: OTHER }),
      invoke({ sourceAccount: OTHER }),
      true,
    ],
    [
      "a URL call of the auth type granted",
      grant({ principal: "*", action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE" }),
      { action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE" },
      true,
    ],
    [
      "a URL call of another auth type",
      grant({ principal: "*", action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE" }),
      { action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "AWS_IAM" },
      false,
    ],
    ["a direct call under a URL-only grant", grant({ functionUrlAuthType: "AWS_IAM" }), invoke(), false],
    [
      "an organisation's member (Stratus has none)",
      grant({ principal: "*", principalOrgId: "o-abcdefghij" }),
      invoke(),
      false,
    ],
    ["the event source token asked for", grant({ eventSourceToken: "tok" }), invoke({ eventSourceToken: "tok" }), true],
    ["another event source token", grant({ eventSourceToken: "tok" }), invoke({ eventSourceToken: "x" }), false],
  ])("%s: %s", (_what, statement, req, expected) => {
    expect(allows({ statements: [statement] }, req)).toBe(expected);
  });

  it("says no without a policy or with no statement matching", () => {
    expect(allows(undefined, invoke())).toBe(false);
    expect(allows({ statements: [] }, invoke())).toBe(false);
    expect(allows({ statements: [grant({ action: "lambda:GetFunction" }), grant()] }, invoke())).toBe(true);
  });
});

describe("arnLike", () => {
  it.each([
    ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true],
    ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket2", false],
    ["arn:aws:s3:::buck?t", "arn:aws:s3:::bucket", true],
    [
      "arn:aws:execute-api:us-east-1:111111111111:api/*/GET/*",
      "arn:aws:execute-api:us-east-1:111111111111:api/prod/GET/x",
      true,
    ],
    // A wildcard stays within its part: it cannot stand for the region and the account.
    ["arn:aws:sns:*:topic", "arn:aws:sns:us-east-1:111111111111:topic", false],
    ["arn:aws:sns:*:*:topic:sub", "arn:aws:sns:us-east-1:111111111111:topic:sub", true],
    ["arn:aws:s3:::b.c", "arn:aws:s3:::bxc", false],
    ["arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false],
  ])("%s against %s: %s", (pattern, arn, expected) => {
    expect(arnLike(pattern, arn)).toBe(expected);
  });
});
