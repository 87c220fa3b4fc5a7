import type { StratusError } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { LayerStatement } from "../domain.js";
import { addStatement, allowsUse, policyDocument, removeStatement } from "./layer-policy.js";

const OWNER = "123456789012";
const OTHER = "210987654321";
const THIRD = "333333333333";
const grant = (sid: string, principal: string): LayerStatement => ({
  sid,
  principal,
  action: "lambda:GetLayerVersion",
});

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as StratusError).code;
  }
  return undefined;
};

describe("layer version policies", () => {
  it.each<[string, LayerStatement[], string, boolean]>([
    ["the owner, without a policy", [], OWNER, true],
    ["another account, without a policy", [], OTHER, false],
    ["an account the policy names", [grant("a", OTHER)], OTHER, true],
    ["an account the policy does not name", [grant("a", OTHER)], THIRD, false],
    ["any account, when shared with *", [grant("all", "*")], THIRD, true],
    ["an account named for another action", [{ sid: "x", principal: OTHER, action: "lambda:Other" }], OTHER, false],
  ])("%s: may use it = %s", (_what, policy, caller, allowed) => {
    expect(allowsUse(OWNER, policy, caller)).toBe(allowed);
  });

  it("adds statements by id, refusing an id already there, and removes them by id", () => {
    const one = addStatement([], grant("a", OTHER));
    const two = addStatement(one, grant("b", "*"));
    expect(two.map((s) => s.sid)).toEqual(["a", "b"]);
    expect(code(() => addStatement(two, grant("a", THIRD)))).toBe("ResourceConflictException");
    expect(removeStatement(two, "a").map((s) => s.sid)).toEqual(["b"]);
    expect(code(() => removeStatement(two, "zzz"))).toBe("ResourceNotFoundException");
  });

  it("renders IAM's policy document", () => {
    const arn = `arn:aws:lambda:us-east-1:${OWNER}:layer:l:1`;
    expect(JSON.parse(policyDocument([grant("a", OTHER), grant("all", "*")], arn))).toEqual({
      Version: "2012-10-17",
      Id: "default",
      Statement: [
        {
          Sid: "a",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: "lambda:GetLayerVersion",
          Resource: arn,
        },
        { Sid: "all", Effect: "Allow", Principal: "*", Action: "lambda:GetLayerVersion", Resource: arn },
      ],
    });
  });
});
