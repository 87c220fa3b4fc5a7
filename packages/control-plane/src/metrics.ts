// Control-plane metrics, registered on the registry passed in (never the global one).
import { Counter, Histogram, type Registry } from "prom-client";

export interface ControlPlaneMetrics {
  requests: Counter<"operation" | "status">;
  invokeDuration: Histogram<"outcome">;
  /** Invocation requests refused for concurrency (Lambda's Throttles), by function and Reason. */
  throttles: Counter<"account" | "function" | "reason">;
  /** Async invocations the reconciler enqueued again (should stay near 0). */
  asyncRequeued: Counter<"reason">;
  /** Async queue workers the watchdog found stopped or stalled and replaced (should stay 0). */
  asyncWorkerRestarts: Counter<"reason">;
  /**
   * Async jobs the worker gave up (should stay near 0): put back in the queue to run
   * again as a takeover, or, unrecoverable, not run again (their event dead-lettered).
   */
  asyncJobsGivenUp: Counter<"reason">;
  /** Schedule ticks written as async invocations. */
  scheduleTicksFired: Counter;
  /** Schedule ticks too old to fire when a control plane got to them (every one was down). */
  scheduleTicksSkipped: Counter;
}

export function createControlPlaneMetrics(registry: Registry): ControlPlaneMetrics {
  return {
    requests: new Counter({
      name: "stratus_api_requests_total",
      help: "Lambda API requests by operation and HTTP status",
      labelNames: ["operation", "status"],
      registers: [registry],
    }),
    invokeDuration: new Histogram({
      name: "stratus_api_invoke_duration_seconds",
      help: "Sync invoke round trip seen by the control plane",
      labelNames: ["outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    }),
    throttles: new Counter({
      name: "stratus_throttles_total",
      help:
        "Invocation requests refused for concurrency, Lambda's Throttles: a sync invoke answered 429 " +
        "TooManyRequestsException, or an async attempt put back to wait; by function and Reason " +
        "(ReservedFunctionConcurrentInvocationLimitExceeded, ConcurrentInvocationLimitExceeded)",
      labelNames: ["account", "function", "reason"],
      registers: [registry],
    }),
    scheduleTicksFired: new Counter({
      name: "stratus_schedule_ticks_fired_total",
      help: "Ticks of EventBridge Scheduler schedules and scheduled rules written to their targets (async invocations, queue messages)",
      registers: [registry],
    }),
    scheduleTicksSkipped: new Counter({
      name: "stratus_schedule_ticks_skipped_total",
      help: "Schedule ticks not delivered: older than their target's maximum event age when a control plane claimed them (no control plane ran at their time), or for a queue target whose queue is gone (with no dead-letter queue)",
      registers: [registry],
    }),
    asyncRequeued: new Counter({
      name: "stratus_async_requeued_total",
      help: "Async invocations re-enqueued by the reconciler: lost_job (its queue job vanished) or lease_expired",
      labelNames: ["reason"],
      registers: [registry],
    }),
    asyncWorkerRestarts: new Counter({
      name: "stratus_async_worker_restarts_total",
      help:
        "Async queue workers replaced by the watchdog: stopped (closed, paused or failed to run) or stalled " +
        "(running, but starting no job while jobs were due and it had free slots)",
      labelNames: ["reason"],
      registers: [registry],
    }),
    asyncJobsGivenUp: new Counter({
      name: "stratus_async_jobs_given_up_total",
      help:
        "Async queue jobs given up: put back in the queue to run again, taking their attempt over, at a deadline " +
        "(a step ran past its bound, as on a connection that stopped answering) or after an error (a step failed); " +
        "or unrecoverable (a step failed as no rerun could change: the event is dead-lettered, or the job's data " +
        "named no invocation)",
      labelNames: ["reason"],
      registers: [registry],
    }),
  };
}
