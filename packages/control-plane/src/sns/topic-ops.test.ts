import { describe, expect, it } from "vitest";
import { checkAttribute } from "./topic-ops.js";

describe("a topic attribute's value", () => {
  it("keeps what Stratus acts on", () => {
    expect(checkAttribute("DisplayName", "Orders")).toBe("Orders");
    expect(checkAttribute("DeliveryPolicy", '{"http":{}}')).toBe('{"http":{}}');
    expect(() => checkAttribute("Policy", "{}")).toThrow(/policy document/);
  });

  it("takes the values that mean off as nothing to keep, as Terraform sends them", () => {
    expect(checkAttribute("FifoTopic", "false")).toBeUndefined();
    expect(checkAttribute("TracingConfig", "PassThrough")).toBeUndefined();
    for (const p of ["Application", "Firehose", "HTTP", "Lambda", "SQS"])
      expect(checkAttribute(`${p}SuccessFeedbackSampleRate`, "0")).toBeUndefined();
  });

  it("refuses by name any other value of those, and the attributes Stratus does not act on", () => {
    expect(() => checkAttribute("LambdaSuccessFeedbackSampleRate", "50")).toThrow(
      /LambdaSuccessFeedbackSampleRate 50 is not supported by Stratus/,
    );
    expect(() => checkAttribute("TracingConfig", "Active")).toThrow(/TracingConfig Active is not supported/);
    expect(() => checkAttribute("LambdaFailureFeedbackRoleArn", "arn:aws:iam::1:role/r")).toThrow(
      /The attribute LambdaFailureFeedbackRoleArn is not supported by Stratus/,
    );
  });
});
