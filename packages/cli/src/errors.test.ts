import { describe, expect, it } from "vitest";
import { CliError, errorLine } from "./errors.js";

class ResourceNotFoundException extends Error {
  override name = "ResourceNotFoundException";
}

describe("errorLine", () => {
  it.each([
    [new CliError("ConfigError", "stratus.json not found"), "stratus: ConfigError: stratus.json not found"],
    [
      new ResourceNotFoundException("Function not found: arn:aws:lambda:us-east-1:1:function:x"),
      "stratus: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:1:function:x",
    ],
    [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9000"), { code: "ECONNREFUSED" }),
      "stratus: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9000",
    ],
    [
      new TypeError("fetch failed", {
        cause: Object.assign(new Error("getaddrinfo ENOTFOUND nowhere"), { code: "ENOTFOUND" }),
      }),
      "stratus: ENOTFOUND: getaddrinfo ENOTFOUND nowhere",
    ],
    [new Error("first line\n  second line"), "stratus: Error: first line second line"],
    ["a string thrown", "stratus: Error: a string thrown"],
  ])("prints %s as one line", (err, line) => {
    expect(errorLine(err)).toBe(line);
  });
});
