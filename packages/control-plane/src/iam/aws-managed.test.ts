import { describe, expect, it } from "vitest";
import { AWS_POLICIES, awsPolicyArn, awsPolicyAt, awsPolicyNamed, isAwsPolicyArn } from "./aws-managed.js";
import { parsePolicy } from "./policy-document.js";
import { evaluate } from "./policy-eval.js";

describe("the AWS managed policy catalog", () => {
  it("holds documents Stratus judges by, ids of IAM's form, each once, in IAM's listing order", () => {
    expect(AWS_POLICIES.length).toBeGreaterThan(10);
    const ids = new Set(AWS_POLICIES.map((p) => p.policyId));
    expect(ids.size).toBe(AWS_POLICIES.length);
    for (const p of AWS_POLICIES) {
      expect(p.policyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
      expect(() => parsePolicy(p.document)).not.toThrow();
    }
    const lower = AWS_POLICIES.map((p) => p.name.toLowerCase());
    expect(lower).toEqual([...lower].sort());
  });

  it("finds a policy by its exact ARN only", () => {
    const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    expect(awsPolicyAt(basic)?.name).toBe("AWSLambdaBasicExecutionRole");
    expect(awsPolicyArn(awsPolicyNamed("AWSLambdaBasicExecutionRole") as never)).toBe(basic);
    expect(awsPolicyAt("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")).toBeUndefined();
    expect(awsPolicyAt("arn:aws:iam::aws:policy/service-role/Nothing")).toBeUndefined();
    expect(awsPolicyAt("arn:aws:iam::123456789012:policy/service-role/AWSLambdaBasicExecutionRole")).toBeUndefined();
    expect(isAwsPolicyArn("arn:aws:iam::aws:policy/Anything")).toBe(true);
    expect(isAwsPolicyArn("arn:aws:iam::123456789012:policy/Anything")).toBe(false);
  });

  it("grants what AWS's documents grant", () => {
    const judge = (name: string, action: string, resource = "*") =>
      evaluate([parsePolicy(awsPolicyNamed(name)?.document as string)], { action, resource });
    expect(judge("AWSLambdaBasicExecutionRole", "logs:PutLogEvents")).toBe("Allow");
    expect(judge("AWSLambdaBasicExecutionRole", "lambda:InvokeFunction")).not.toBe("Allow");
    expect(judge("PowerUserAccess", "lambda:DeleteFunction")).toBe("Allow");
    expect(judge("PowerUserAccess", "iam:CreateUser")).not.toBe("Allow");
    expect(judge("PowerUserAccess", "iam:ListRoles")).toBe("Allow");
    expect(judge("AmazonS3ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k")).toBe("Allow");
    expect(judge("AmazonS3ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k")).not.toBe("Allow");
  });
});
