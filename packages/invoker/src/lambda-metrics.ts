// The node's per-function metrics, named as Lambda's CloudWatch metrics (Invocations,
// Errors, Duration, ConcurrentExecutions, ColdStarts, InitDuration) and labelled by
// account, function and Lambda's Resource (function, or function:qualifier as
// invoked). The node-wide families of metrics.ts stay as they were; these add the
// function, bounded by a cap on label sets (function-series.ts in @stratus/shared).
import {
  createRegisteredSeriesCap,
  FUNCTION_SERIES_LABELS,
  type FunctionSeriesLabels,
  type InvokeSpec,
  resourceOfArn,
} from "@stratus/shared";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Lambda's Duration buckets, in seconds: 1 ms to the 900 s timeout. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const INIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface LambdaInvokerMetrics {
  /** The labels one invocation of `spec` is counted under (folded past the cap). */
  labelsOf(spec: InvokeSpec): FunctionSeriesLabels;
  /** An invocation began on this node; the returned function, called once (more calls do nothing), ends it. */
  started(labels: FunctionSeriesLabels): () => void;
  /** An invocation ended: counted, with its error if the function failed, and its duration in seconds. */
  ended(labels: FunctionSeriesLabels, failed: boolean, durationSeconds: number): void;
  /** A cold start, and its Init Duration in seconds once known. */
  coldStart(labels: FunctionSeriesLabels): void;
  initDuration(labels: FunctionSeriesLabels, seconds: number): void;
}

export function createLambdaInvokerMetrics(registry: Registry, maxFunctionSeries: number): LambdaInvokerMetrics {
  const labelNames = FUNCTION_SERIES_LABELS;
  const cap = createRegisteredSeriesCap(registry, maxFunctionSeries);
  const invocations = new Counter({
    name: "stratus_lambda_invocations_total",
    help: "Lambda's Invocations: invocations run on this node, successful or not, by function",
    labelNames,
    registers: [registry],
  });
  const errors = new Counter({
    name: "stratus_lambda_errors_total",
    help: "Lambda's Errors: invocations that ended in a function error (thrown, timed out, out of memory, crashed, failed init)",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "stratus_lambda_duration_seconds",
    help: "Lambda's Duration: from handing the event to the runtime to its answer, by function",
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const concurrent = new Gauge({
    name: "stratus_lambda_concurrent_executions",
    help: "Lambda's ConcurrentExecutions: invocations running on this node now, by function",
    labelNames,
    registers: [registry],
  });
  const coldStarts = new Counter({
    name: "stratus_lambda_cold_starts_total",
    help: "Invocations that needed a new execution environment (a stem cell specialised or a container started), by function",
    labelNames,
    registers: [registry],
  });
  const init = new Histogram({
    name: "stratus_lambda_init_duration_seconds",
    help: "Lambda's InitDuration: a cold start's init phase, as its REPORT line gives it, by function",
    labelNames,
    buckets: INIT_BUCKETS,
    registers: [registry],
  });
  // Specs are the same object for every call of a function version (invoke-spec cache).
  const bySpec = new WeakMap<InvokeSpec, FunctionSeriesLabels>();
  return {
    labelsOf(spec) {
      let labels = bySpec.get(spec);
      if (!labels) {
        labels = cap.labels(spec.accountId, spec.functionName, resourceOfArn(spec.functionArn));
        // A folded set is not kept: the cap counts each folded sample.
        if (labels.function === spec.functionName) bySpec.set(spec, labels);
      }
      return labels;
    },
    started(labels) {
      concurrent.inc(labels);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        concurrent.dec(labels);
      };
    },
    ended(labels, failed, durationSeconds) {
      invocations.inc(labels);
      if (failed) errors.inc(labels);
      duration.observe(labels, durationSeconds);
    },
    coldStart: (labels) => coldStarts.inc(labels),
    initDuration: (labels, seconds) => init.observe(labels, seconds),
  };
}
