// The provisioned Grafana dashboard (deploy/grafana/dashboards) against Grafana's own
// published JSON schemas (deploy/grafana/schema, from grafana-foundation-sdk): the
// dashboard model, each time series panel's options and field config, and each
// Prometheus query; and every metric its queries read is one Stratus exports.
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLambdaControlPlaneMetrics } from "../lambda-metrics.js";

const root = new URL("../../../../deploy/grafana/", import.meta.url);
const read = (path: string): unknown => JSON.parse(readFileSync(new URL(path, root), "utf8"));

interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  targets: Target[];
  options: unknown;
  fieldConfig: { defaults: { custom?: unknown } };
}

const dashboard = read("dashboards/stratus-lambda.json") as { panels: Panel[] };
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(read("schema/dashboard.jsonschema.json") as object, "dashboard");
ajv.addSchema(read("schema/timeseries.jsonschema.json") as object, "timeseries");
ajv.addSchema(read("schema/prometheus.jsonschema.json") as object, "prometheus");

function check(ref: string, value: unknown): string {
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`no schema ${ref}`);
  return validate(value) ? "" : ajv.errorsText(validate.errors);
}

/** The metric families the dashboard may read: the control plane's, and the invoker's (from its source). */
async function exported(): Promise<Set<string>> {
  const registry = new Registry();
  createLambdaControlPlaneMetrics(registry, 10);
  const names = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
  const invoker = readFileSync(new URL("../../../invoker/src/lambda-metrics.ts", import.meta.url), "utf8");
  for (const m of invoker.matchAll(/name: "(stratus_[a-z_]+)"/g)) names.add(m[1] as string);
  return names;
}

describe("the Grafana dashboard", () => {
  it("is a dashboard as Grafana's schema defines one", () => {
    expect(check("dashboard", dashboard)).toBe("");
  });

  it("fails the schema when broken, so the check above can fail", () => {
    expect(check("dashboard", { ...dashboard, schemaVersion: "39" })).not.toBe("");
    expect(check("dashboard", { title: "no templating nor annotations" })).not.toBe("");
  });

  it.each(dashboard.panels.map((p) => [p.title, p] as const))("%s: time series options and queries", (_, panel) => {
    expect(panel.type).toBe("timeseries");
    expect(check("timeseries#/definitions/Options", panel.options)).toBe("");
    expect(check("timeseries#/definitions/FieldConfig", panel.fieldConfig.defaults.custom)).toBe("");
    for (const target of panel.targets) expect(check("prometheus", target)).toBe("");
  });

  it("holds the Lambda console's graphs", () => {
    expect(dashboard.panels.map((p) => p.title)).toEqual(
      expect.arrayContaining([
        "Invocations",
        "Duration",
        "Error count",
        "Success rate (%)",
        "Throttles",
        "Async delivery failures",
        "Concurrent executions",
        "Cold starts",
      ]),
    );
  });

  it("reads only metrics Stratus exports", async () => {
    const names = await exported();
    const read = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) =>
        [...t.expr.matchAll(/\b(stratus_[a-z_]+?)(?:_bucket|_sum|_count)?\{/g)].map((m) => m[1]),
      ),
    );
    expect(read.length).toBeGreaterThan(10);
    for (const name of read) expect(names, name).toContain(name);
  });
});
