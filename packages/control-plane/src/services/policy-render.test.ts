import { describe, expect, it } from "vitest";
import type { PolicyStatement } from "../policy.js";
import { policyResource, renderPolicy, renderStatement } from "./policy-render.js";

const FN = "arn:aws:lambda:us-east-1:111111111111:function:f";

describe("renderStatement", () => {
  it.each<[string, PolicyStatement, string]>([
    [
      "a service with its source",
      {
        sid: "s3",
        action: "lambda:InvokeFunction",
        principal: { service: "s3.amazonaws.com" },
        sourceArn: "arn:aws:s3:::bucket",
      },
      `{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"${FN}","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}}`,
    ],
    [
      "an account as its root",
      { sid: "acct", action: "lambda:InvokeFunction", principal: { account: "222222222222" } },
      `{"Sid":"acct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"lambda:InvokeFunction","Resource":"${FN}"}`,
    ],
    [
      "every condition, StringEquals before ArnLike",
      {
        sid: "url",
        action: "lambda:InvokeFunctionUrl",
        principal: "*",
        sourceArn: "arn:aws:s3:::b",
        sourceAccount: "111111111111",
        functionUrlAuthType: "NONE",
        principalOrgId: "o-1234567890",
        eventSourceToken: "tok",
      },
      `{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"${FN}","Condition":{"StringEquals":{"AWS:SourceAccount":"111111111111","lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":"o-1234567890","lambda:EventSourceToken":"tok"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}}`,
    ],
  ])("renders %s as Lambda does", (_what, statement, expected) => {
    expect(renderStatement(statement, FN)).toBe(expected);
  });
});

describe("renderPolicy", () => {
  it("names the qualified resource in every statement of the document", () => {
    const policy = {
      accountId: "111111111111",
      functionName: "f",
      qualifier: "prod",
      statements: [
        { sid: "a", action: "lambda:InvokeFunction", principal: "*" as const },
        { sid: "b", action: "lambda:GetFunction", principal: { account: "222222222222" } },
      ],
    };
    expect(policyResource("us-east-1", policy)).toBe(`${FN}:prod`);
    expect(JSON.parse(renderPolicy(policy, "us-east-1"))).toEqual({
      Version: "2012-10-17",
      Id: "default",
      Statement: [
        { Sid: "a", Effect: "Allow", Principal: "*", Action: "lambda:InvokeFunction", Resource: `${FN}:prod` },
        {
          Sid: "b",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::222222222222:root" },
          Action: "lambda:GetFunction",
          Resource: `${FN}:prod`,
        },
      ],
    });
  });
});
