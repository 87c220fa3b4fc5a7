// The control plane's per-function metrics, named as Lambda's CloudWatch metrics
// (Throttles, AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped,
// DeadLetterErrors, DestinationDeliveryFailures) and labelled by account, function and
// Lambda's Resource (function, or function:qualifier as invoked), capped like the
// invoker's (function-series.ts in @stratus/shared). The older families without a
// function (stratus_throttles_total by reason, stratus_async_events_ended_total) stay.
import { createRegisteredSeriesCap, FUNCTION_SERIES_LABELS, resourceOf } from "@stratus/shared";
import { Counter, Histogram, type Registry } from "prom-client";

/** Whose event or call a sample is: the account, the function and the qualifier it was invoked with. */
export interface FunctionRef {
  accountId: string;
  functionName: string;
  qualifier?: string;
}

/** What an async event's attempt ended as, as far as these metrics care. */
export interface AsyncEnding {
  /** The event ended without the function succeeding (failed, dead-lettered or expired). */
  dropped: boolean;
  /** A destination was configured for this outcome but could not be delivered to. */
  undeliverable: boolean;
}

export interface LambdaControlPlaneMetrics {
  /** An invocation request refused for concurrency (a sync 429, or an async attempt put back). */
  throttle(ref: FunctionRef): void;
  /** An async event's attempt began: its age then, and the event counted as received on its first. */
  attemptStarted(ref: FunctionRef, ageSeconds: number, first: boolean): void;
  /** An async event's attempt was recorded as `ending`. */
  attemptEnded(ref: FunctionRef, ending: AsyncEnding): void;
  /** An event could not be moved to the dead-letter record. */
  deadLetterError(ref: FunctionRef): void;
}

/** Lambda's AsyncEventAge buckets, in seconds: to the 6 h maximum event age. */
const AGE_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800, 21600];

export function createLambdaControlPlaneMetrics(
  registry: Registry,
  maxFunctionSeries: number,
): LambdaControlPlaneMetrics {
  const labelNames = FUNCTION_SERIES_LABELS;
  const cap = createRegisteredSeriesCap(registry, maxFunctionSeries);
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers: [registry] });
  const throttles = counter(
    "stratus_lambda_throttles_total",
    "Lambda's Throttles: invocation requests refused for concurrency (a sync invoke answered 429, an async attempt put back to wait), by function",
  );
  const received = counter(
    "stratus_lambda_async_events_received_total",
    "Lambda's AsyncEventsReceived: async events the queue ran for the first time (from Invoke, schedules, rules and destinations), by function",
  );
  const dropped = counter(
    "stratus_lambda_async_events_dropped_total",
    "Lambda's AsyncEventsDropped: async events that ended without the function succeeding (failed to a destination, dead-lettered or expired), by function",
  );
  const deadLetterErrors = counter(
    "stratus_lambda_dead_letter_errors_total",
    "Lambda's DeadLetterErrors: async events whose move to the dead-letter record failed (the queue runs them again), by function",
  );
  const deliveryFailures = counter(
    "stratus_lambda_destination_delivery_failures_total",
    "Lambda's DestinationDeliveryFailures: async outcomes whose configured destination could not be delivered to (not a function of the same account), by function",
  );
  const age = new Histogram({
    name: "stratus_lambda_async_event_age_seconds",
    help: "Lambda's AsyncEventAge: from an async event's acceptance to each attempt at it, by function",
    labelNames,
    buckets: AGE_BUCKETS,
    registers: [registry],
  });
  const labelsOf = (ref: FunctionRef) =>
    cap.labels(ref.accountId, ref.functionName, resourceOf(ref.functionName, ref.qualifier));
  return {
    throttle: (ref) => throttles.inc(labelsOf(ref)),
    attemptStarted(ref, ageSeconds, first) {
      const labels = labelsOf(ref);
      age.observe(labels, ageSeconds);
      if (first) received.inc(labels);
    },
    attemptEnded(ref, ending) {
      if (!ending.dropped && !ending.undeliverable) return;
      const labels = labelsOf(ref);
      if (ending.dropped) dropped.inc(labels);
      if (ending.undeliverable) deliveryFailures.inc(labels);
    },
    deadLetterError: (ref) => deadLetterErrors.inc(labelsOf(ref)),
  };
}
