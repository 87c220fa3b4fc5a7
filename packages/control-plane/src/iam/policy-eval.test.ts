import { describe, expect, it } from "vitest";
import { parsePolicy, trustsLambda } from "./policy-document.js";
import { evaluate, globMatch } from "./policy-eval.js";

const FN = "arn:aws:lambda:us-east-1:111122223333:function:";
const doc = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }));

describe("globMatch", () => {
  it.each([
    ["lambda:Invoke*", "lambda:InvokeFunction", true, true],
    ["lambda:invoke*", "lambda:InvokeFunction", true, true],
    ["lambda:invoke*", "lambda:InvokeFunction", false, false],
    ["lambda:Get?", "lambda:GetX", true, true],
    ["lambda:Get?", "lambda:GetXY", true, false],
    [`${FN}*`, `${FN}a:prod`, false, true],
    [`${FN}a`, `${FN}a:prod`, false, false],
    [`${FN}a`, `${FN}A`, false, false],
    ["arn:aws:lambda:*:*:function:b", `${FN}b`, false, true],
    ["arn:aws:lambda:us-east-1:111122223333:function:a.b", `${FN}aXb`, false, false],
    ["*", "anything", false, true],
  ])("%s ~ %s (ignoreCase %s) is %s", (pattern, value, ignoreCase, want) => {
    expect(globMatch(pattern, value, ignoreCase)).toBe(want);
  });
});

describe("evaluate", () => {
  const invokeB = doc({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `${FN}b` });
  it.each([
    // AWS's documented logic: default deny, an allow allows, an explicit deny overrides any allow.
    ["no policies", [], "lambda:InvokeFunction", `${FN}b`, "ImplicitDeny"],
    ["allowed function", [invokeB], "lambda:InvokeFunction", `${FN}b`, "Allow"],
    ["another function", [invokeB], "lambda:InvokeFunction", `${FN}c`, "ImplicitDeny"],
    ["a qualified ARN is another resource", [invokeB], "lambda:InvokeFunction", `${FN}b:1`, "ImplicitDeny"],
    ["another action", [invokeB], "lambda:GetFunction", `${FN}b`, "ImplicitDeny"],
    [
      "wildcard action",
      [doc({ Effect: "Allow", Action: ["lambda:Get*", "lambda:List*"], Resource: "*" })],
      "lambda:ListFunctions",
      "*",
      "Allow",
    ],
    [
      "deny wins over allow in another policy",
      [
        doc({ Effect: "Allow", Action: "lambda:*", Resource: "*" }),
        doc({ Effect: "Deny", Action: "lambda:Delete*", Resource: `${FN}*` }),
      ],
      "lambda:DeleteFunction",
      `${FN}b`,
      "ExplicitDeny",
    ],
    [
      "deny that does not apply",
      [
        doc(
          { Effect: "Allow", Action: "lambda:*", Resource: "*" },
          { Effect: "Deny", Action: "lambda:Delete*", Resource: `${FN}x` },
        ),
      ],
      "lambda:DeleteFunction",
      `${FN}b`,
      "Allow",
    ],
    [
      "NotAction allows all but",
      [doc({ Effect: "Allow", NotAction: "lambda:Delete*", Resource: "*" })],
      "secretsmanager:GetSecretValue",
      "arn:aws:secretsmanager:us-east-1:111122223333:secret:s",
      "Allow",
    ],
    [
      "NotAction excludes",
      [doc({ Effect: "Allow", NotAction: ["lambda:Delete*"], Resource: "*" })],
      "lambda:DeleteFunction",
      `${FN}b`,
      "ImplicitDeny",
    ],
    [
      "NotResource",
      [doc({ Effect: "Allow", Action: "lambda:*", NotResource: `${FN}secret*` })],
      "lambda:InvokeFunction",
      `${FN}secret-fn`,
      "ImplicitDeny",
    ],
    ["service wildcard", [doc({ Effect: "Allow", Action: "*", Resource: "*" })], "states:StartExecution", "*", "Allow"],
  ] as const)("%s", (_name, policies, action, resource, want) => {
    expect(evaluate([...policies], { action, resource })).toBe(want);
  });
});

describe("parsePolicy", () => {
  it.each([
    ["not JSON", "{"],
    ["no statement", JSON.stringify({ Version: "2012-10-17" })],
    ["empty statements", JSON.stringify({ Version: "2012-10-17", Statement: [] })],
    [
      "bad version",
      JSON.stringify({ Version: "2020-01-01", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
    ],
    ["bad effect", JSON.stringify({ Statement: { Effect: "Maybe", Action: "*", Resource: "*" } })],
    ["no action", JSON.stringify({ Statement: { Effect: "Allow", Resource: "*" } })],
    [
      "both action forms",
      JSON.stringify({ Statement: { Effect: "Allow", Action: "*", NotAction: "x:y", Resource: "*" } }),
    ],
    ["no resource", JSON.stringify({ Statement: { Effect: "Allow", Action: "*" } })],
    [
      "action without service",
      JSON.stringify({ Statement: { Effect: "Allow", Action: "InvokeFunction", Resource: "*" } }),
    ],
    ["resource not an ARN", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "my-fn" } })],
    ["unknown field", JSON.stringify({ Statement: { Effect: "Allow", Action: "*", Resource: "*", Extra: 1 } })],
    [
      "a condition on a key Stratus does not supply",
      JSON.stringify({
        Statement: {
          Effect: "Allow",
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceVpc": "v" } },
        },
      }),
    ],
    ["a list that is empty", JSON.stringify({ Statement: { Effect: "Allow", Action: [], Resource: "*" } })],
  ])("refuses %s", (_name, text) => {
    expect(() => parsePolicy(text)).toThrow(expect.objectContaining({ code: "MalformedPolicyDocument" }));
  });

  it("reads a single statement object", () => {
    expect(parsePolicy(JSON.stringify({ Statement: { Effect: "Deny", Action: "lambda:*", Resource: "*" } }))).toEqual({
      statements: [{ effect: "Deny", actions: ["lambda:*"], resources: ["*"] }],
    });
  });
});

describe("trustsLambda", () => {
  const trust = (principal: unknown, action: unknown = "sts:AssumeRole", effect = "Allow") =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: effect, Principal: principal, Action: action }] });
  it.each([
    [trust({ Service: "lambda.amazonaws.com" }), true],
    [trust({ Service: ["states.amazonaws.com", "lambda.amazonaws.com"] }), true],
    [trust({ Service: "lambda.amazonaws.com" }, ["sts:AssumeRole"]), true],
    [trust({ Service: "states.amazonaws.com" }), false],
    [trust({ Service: "lambda.amazonaws.com" }, "sts:AssumeRole", "Deny"), false],
    [trust({ AWS: "arn:aws:iam::111122223333:root" }), false],
  ])("%s: %s", (text, want) => {
    expect(trustsLambda(text)).toBe(want);
  });
});
