import type { InvokeSpec } from "@stratus/shared";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLambdaInvokerMetrics } from "./lambda-metrics.js";

const spec = (functionName: string, qualifier = ""): InvokeSpec =>
  ({
    accountId: "111111111111",
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:111111111111:function:${functionName}${qualifier ? `:${qualifier}` : ""}`,
  }) as InvokeSpec;

async function sample(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return match?.value;
}

describe("createLambdaInvokerMetrics", () => {
  it("counts invocations, errors, durations and cold starts by account, function and Resource", async () => {
    const registry = new Registry();
    const m = createLambdaInvokerMetrics(registry, 10);
    const prod = m.labelsOf(spec("f", "prod"));
    expect(prod).toEqual({ account: "111111111111", function: "f", resource: "f:prod" });
    const done = m.started(prod);
    expect(await sample(registry, "stratus_lambda_concurrent_executions", { resource: "f:prod" })).toBe(1);
    m.coldStart(prod);
    m.initDuration(prod, 0.2);
    m.ended(prod, true, 0.05);
    done();
    done();
    expect(await sample(registry, "stratus_lambda_concurrent_executions", { resource: "f:prod" })).toBe(0);
    expect(await sample(registry, "stratus_lambda_invocations_total", { resource: "f:prod" })).toBe(1);
    expect(await sample(registry, "stratus_lambda_errors_total", { resource: "f:prod" })).toBe(1);
    expect(await sample(registry, "stratus_lambda_cold_starts_total", { function: "f" })).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(
      'stratus_lambda_duration_seconds_count{account="111111111111",function="f",resource="f:prod"} 1',
    );
    expect(text).toContain(
      'stratus_lambda_init_duration_seconds_count{account="111111111111",function="f",resource="f:prod"} 1',
    );
  });

  it("folds functions past the cap into __other__, counts each folded sample, and reports the admitted sets", async () => {
    const registry = new Registry();
    const m = createLambdaInvokerMetrics(registry, 2);
    for (const name of ["a", "b", "c", "d"]) m.ended(m.labelsOf(spec(name)), false, 0.01);
    m.ended(m.labelsOf(spec("d")), false, 0.01);
    expect(await sample(registry, "stratus_lambda_invocations_total", { function: "a" })).toBe(1);
    expect(await sample(registry, "stratus_lambda_invocations_total", { function: "__other__" })).toBe(3);
    expect(await sample(registry, "stratus_lambda_invocations_total", { function: "c" })).toBeUndefined();
    expect(await sample(registry, "stratus_lambda_series_folded_total")).toBe(3);
    expect(await sample(registry, "stratus_lambda_function_series")).toBe(2);
  });
});
