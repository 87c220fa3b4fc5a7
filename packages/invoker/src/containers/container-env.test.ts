import type { InvokeSpec } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { testSpec } from "../testing/invoke-spec.js";
import { containerEnv, imageSpec, RUNTIME_DEFAULTS, scratchSpec } from "./container-env.js";

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

describe("AWS_LAMBDA_INITIALIZATION_TYPE", () => {
  const zip = testSpec("fn");
  const image = testSpec("img", { runtime: "", handler: "", image: { uri: `reg/img@sha256:${"b".repeat(64)}` } });
  const initType = (env: Record<string, string>) => env.AWS_LAMBDA_INITIALIZATION_TYPE;

  it("says on-demand unless told otherwise", () => {
    expect(initType(containerEnv(zip, "10.0.0.1:9001"))).toBe("on-demand");
    expect(initType(scratchSpec(zip, "rt", "/code", undefined, "net", "10.0.0.1:9001", {}).env)).toBe("on-demand");
  });

  it("says provisioned-concurrency for a provisioned container, zip or image", () => {
    const api = "10.0.0.1:9001";
    const provisioned = "provisioned-concurrency";
    expect(initType(scratchSpec(zip, "rt", "/code", undefined, "net", api, {}, {}, provisioned).env)).toBe(provisioned);
    expect(initType(imageSpec(image, {}, "net", api, {}, {}, provisioned).env)).toBe(provisioned);
    expect(initType(imageSpec(image, {}, "net", api, {}).env)).toBe("on-demand");
  });
});
