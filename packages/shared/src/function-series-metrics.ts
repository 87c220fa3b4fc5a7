// The function-series cap of a process, reported on its registry: how many label
// sets it admitted and how many samples it folded into __other__. Both processes
// build their per-function metrics (lambda-metrics.ts) over one of these.
import { Counter, Gauge, type Registry } from "prom-client";
import { createFunctionSeriesCap, type FunctionSeriesCap } from "./function-series.js";

/** A cap of `maxFunctionSeries` label sets whose folds and size `registry` reports. */
export function createRegisteredSeriesCap(registry: Registry, maxFunctionSeries: number): FunctionSeriesCap {
  const folded = new Counter({
    name: "stratus_lambda_series_folded_total",
    help: 'Samples of per-function metrics recorded under function="__other__" because this process already reports STRATUS_METRICS_MAX_FUNCTION_SERIES label sets',
    registers: [registry],
  });
  const cap = createFunctionSeriesCap(maxFunctionSeries, () => folded.inc());
  new Gauge({
    name: "stratus_lambda_function_series",
    help: "Label sets (account, function, resource) this process reports per-function metrics under; at most STRATUS_METRICS_MAX_FUNCTION_SERIES",
    registers: [registry],
    collect() {
      this.set(cap.admitted());
    },
  });
  return cap;
}
