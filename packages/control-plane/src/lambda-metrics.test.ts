import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLambdaControlPlaneMetrics } from "./lambda-metrics.js";

const account = "111111111111";

async function value(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

describe("createLambdaControlPlaneMetrics", () => {
  it("labels throttles and async events by account, function and Resource", async () => {
    const registry = new Registry();
    const m = createLambdaControlPlaneMetrics(registry, 100);
    m.throttle({ accountId: account, functionName: "f", qualifier: "live" });
    m.throttle({ accountId: account, functionName: "f" });
    m.attemptStarted({ accountId: account, functionName: "f" }, 0.5, true);
    m.attemptStarted({ accountId: account, functionName: "f" }, 3, false);
    m.attemptEnded({ accountId: account, functionName: "f" }, { dropped: true, undeliverable: true });
    m.attemptEnded({ accountId: account, functionName: "f" }, { dropped: false, undeliverable: false });
    m.deadLetterError({ accountId: account, functionName: "f" });
    expect(await value(registry, "stratus_lambda_throttles_total", { resource: "f:live" })).toBe(1);
    expect(await value(registry, "stratus_lambda_throttles_total", { resource: "f" })).toBe(1);
    expect(await value(registry, "stratus_lambda_async_events_received_total", { function: "f" })).toBe(1);
    expect(await value(registry, "stratus_lambda_async_events_dropped_total", { function: "f" })).toBe(1);
    expect(await value(registry, "stratus_lambda_destination_delivery_failures_total", { function: "f" })).toBe(1);
    expect(await value(registry, "stratus_lambda_dead_letter_errors_total", { function: "f" })).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain(
      `stratus_lambda_async_event_age_seconds_count{account="${account}",function="f",resource="f"} 2`,
    );
    expect(text).toContain(
      `stratus_lambda_async_event_age_seconds_sum{account="${account}",function="f",resource="f"} 3.5`,
    );
  });

  it("folds functions past the cap into __other__ and counts the folds", async () => {
    const registry = new Registry();
    const m = createLambdaControlPlaneMetrics(registry, 1);
    m.throttle({ accountId: account, functionName: "a" });
    m.throttle({ accountId: account, functionName: "b" });
    m.throttle({ accountId: account, functionName: "c" });
    expect(await value(registry, "stratus_lambda_throttles_total", { function: "a" })).toBe(1);
    expect(await value(registry, "stratus_lambda_throttles_total", { function: "__other__" })).toBe(2);
    expect(await value(registry, "stratus_lambda_series_folded_total")).toBe(2);
    expect(await value(registry, "stratus_lambda_function_series")).toBe(1);
  });
});
