import type { InvokeSpec } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { testSpec } from "../testing/invoke-spec.js";
import { containerEnv, RUNTIME_DEFAULTS } from "./container-env.js";

const spec = (environment: Record<string, string>): InvokeSpec => testSpec("fn", { environment });

describe("containerEnv", () => {
  it("gives a function that sets nothing Lambda's defaults", () => {
    const env = containerEnv(spec({}), "10.0.0.1:9001");
    expect(env).toMatchObject(RUNTIME_DEFAULTS);
    expect(env).toMatchObject({ TZ: ":UTC", LANG: "en_US.UTF-8", AWS_LAMBDA_RUNTIME_API: "10.0.0.1:9001" });
  });

  it("lets the function's own PATH, LANG, TZ and the like win over the defaults", () => {
    const own = {
      PATH: "/var/task/bin:/bin",
      LANG: "de_DE.UTF-8",
      TZ: "Asia/Kolkata",
      LD_LIBRARY_PATH: "/var/task/lib",
    };
    expect(containerEnv(spec(own), "10.0.0.1:9001")).toMatchObject(own);
  });

  it("keeps the variables Lambda reserves, whatever the function's environment holds", () => {
    const env = containerEnv(
      spec({ AWS_LAMBDA_FUNCTION_NAME: "other", _HANDLER: "x.y", AWS_LAMBDA_RUNTIME_API: "1.2.3.4:1" }),
      "10.0.0.1:9001",
    );
    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: "fn",
      _HANDLER: "index.handler",
      AWS_LAMBDA_RUNTIME_API: "10.0.0.1:9001",
    });
  });
});
