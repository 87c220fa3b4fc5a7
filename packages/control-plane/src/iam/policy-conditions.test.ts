import { describe, expect, it } from "vitest";
import { conditionsHold, parseConditions, type RequestContext } from "./policy-conditions.js";

const ctx: RequestContext = {
  "aws:sourceip": "10.1.2.3",
  "aws:securetransport": "false",
  "aws:currenttime": "2026-12-07T12:00:00Z",
  "aws:epochtime": String(Date.parse("2026-12-07T12:00:00Z") / 1000),
  "aws:requestedregion": "us-east-1",
  "aws:principalarn": "arn:aws:iam::123456789012:user/ci/deploy",
  "aws:principaltype": "User",
  "aws:username": "deploy",
};

const judge = (block: unknown, c: RequestContext = ctx) => conditionsHold(parseConditions(block, 1), c);

describe("policy conditions", () => {
  it.each([
    [{ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, true],
    [{ IpAddress: { "aws:SourceIp": ["192.168.0.0/16", "10.1.2.3"] } }, true],
    [{ NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, false],
    [{ IpAddress: { "aws:SourceIp": "::1/128" } }, false],
    [{ StringEquals: { "aws:RequestedRegion": "us-east-1" } }, true],
    [{ StringEquals: { "aws:requestedregion": "eu-west-1" } }, false],
    [{ StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-west-2"] } }, true],
    [{ StringEqualsIgnoreCase: { "aws:username": "DEPLOY" } }, true],
    [{ StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:user/ci/*" } }, true],
    [{ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/*" } }, false],
    [{ ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/*" } }, true],
    [{ Bool: { "aws:SecureTransport": "false" } }, true],
    [{ Bool: { "aws:SecureTransport": true } }, false],
    [{ DateLessThan: { "aws:CurrentTime": "2027-01-01T00:00:00Z" } }, true],
    [{ DateGreaterThan: { "aws:CurrentTime": "2027-01-01T00:00:00Z" } }, false],
    [{ NumericLessThanEquals: { "aws:EpochTime": Date.parse("2026-12-07T12:00:00Z") / 1000 } }, true],
    [{ Null: { "aws:username": "false" } }, true],
    [{ Null: { "aws:username": "true" } }, false],
    // Every operator and every key must hold; any of a key's values will do.
    [{ StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:username": "other" } }, false],
    [{ StringEquals: { "aws:RequestedRegion": "us-east-1" }, Bool: { "aws:SecureTransport": "true" } }, false],
  ])("%j holds: %s", (block, expected) => {
    expect(judge(block)).toBe(expected);
  });

  it("reads a role's tags as aws:PrincipalTag/<key>, its key without regard to case", () => {
    const tagged: RequestContext = { ...ctx, "aws:principaltag/team": "blue" };
    expect(judge({ StringEquals: { "aws:PrincipalTag/Team": "blue" } }, tagged)).toBe(true);
    expect(judge({ StringEquals: { "aws:PrincipalTag/team": "red" } }, tagged)).toBe(false);
    expect(judge({ StringEquals: { "aws:PrincipalTag/cost-center": "x" } }, tagged)).toBe(false);
    expect(() => parseConditions({ StringEquals: { "aws:PrincipalTag/": "x" } }, 1)).toThrow(/not supported/);
  });

  it("judges a key the request lacks as IAM does", () => {
    const role: RequestContext = { ...ctx, "aws:username": undefined };
    expect(judge({ StringEquals: { "aws:username": "deploy" } }, role)).toBe(false);
    expect(judge({ StringEqualsIfExists: { "aws:username": "deploy" } }, role)).toBe(true);
    expect(judge({ StringNotEquals: { "aws:username": "deploy" } }, role)).toBe(true);
    expect(judge({ "ForAnyValue:StringEquals": { "aws:username": "deploy" } }, role)).toBe(false);
    expect(judge({ "ForAllValues:StringEquals": { "aws:username": "deploy" } }, role)).toBe(true);
    expect(judge({ Null: { "aws:username": "true" } }, role)).toBe(true);
  });

  it.each([
    [{ StringEquals: { "aws:SourceVpc": "vpc-1" } }, /aws:SourceVpc is not supported by Stratus/],
    [{ StringEquals: { "lambda:FunctionArn": "x" } }, /not supported by Stratus/],
    [{ StringEqualz: { "aws:username": "x" } }, /not a condition operator/],
    [{ BinaryEquals: { "aws:username": "eA==" } }, /not a condition operator/],
    [{ NullIfExists: { "aws:username": "true" } }, /not a condition operator/],
    [{ IpAddress: { "aws:SourceIp": "10.0.0.0/33" } }, /not an IP address/],
    [{ DateLessThan: { "aws:CurrentTime": "soon" } }, /not a date/],
    [{ NumericEquals: { "aws:EpochTime": "x" } }, /not a number/],
    [{ Bool: { "aws:SecureTransport": "yes" } }, /true or false/],
    [{ StringEquals: { "aws:username": "\u0024{aws:username}" } }, /policy variables/],
    [{ StringEquals: { "aws:username": [] } }, /non-empty list/],
    [{ StringEquals: "x" }, /must map condition keys/],
    [[], /must be an object/],
  ])("refuses %j", (block, message) => {
    expect(() => parseConditions(block, 1)).toThrow(message);
  });
});
