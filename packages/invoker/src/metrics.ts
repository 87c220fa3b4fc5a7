// Invoker metrics, registered on the registry passed in, with bounded labels:
// outcome, state, runtime; the counters of a function's failures (OOM kills,
// timeouts) and the provisioned containers also name the function version (account,
// function, version), since an operator asks "which function?" of those. Never request ids.
import { DEFAULT_MAX_FUNCTION_SERIES } from "@stratus/shared";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { createLambdaInvokerMetrics } from "./lambda-metrics.js";

export type Outcome = "success" | "function_error" | "timeout" | "oom" | "crash" | "init_error";

export interface PoolStats {
  byState: Record<string, number>;
  usedMb: number;
  capacityMb: number;
}

/** The labels naming one function version. */
const FUNCTION_LABELS = ["account", "function", "version"] as const;

/**
 * 1 (with the fallback in use) while the node cannot read its containers' memory
 * cgroups, where OOM kills are counted exactly. Both values are exported from the
 * start, at 0, so that an alert on the gauge has a series to watch.
 */
function oomDetectionGauge(registry: Registry) {
  const gauge = new Gauge({
    name: "stratus_oom_detection_degraded",
    help: "1 while this node cannot read its containers' memory cgroups, as of its latest look, and counts OOM kills of processes the runtime outlives otherwise: fallback engine_events (from the engine's oom events; a kill can be counted late) or none (not at all); 0 otherwise",
    labelNames: ["fallback"] as const,
    registers: [registry],
  });
  for (const fallback of DEGRADED_OOM_SOURCES) gauge.set({ fallback }, 0);
  return gauge;
}

/** The sources of OOM kill counts other than the exact one (container-backend.ts). */
export const DEGRADED_OOM_SOURCES = ["engine_events", "none"] as const;

/**
 * `stats` is read at scrape time for the gauges of containers and capacity; `lambda`
 * holds the per-function families (lambda-metrics.ts), capped at `maxFunctionSeries`.
 */
export function createInvokerMetrics(
  registry: Registry,
  stats: () => PoolStats,
  maxFunctionSeries = DEFAULT_MAX_FUNCTION_SERIES,
) {
  return {
    lambda: createLambdaInvokerMetrics(registry, maxFunctionSeries),
    invocations: new Counter({
      name: "stratus_invocations_total",
      help: "Invocations run on this node, by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: "stratus_invocation_duration_seconds",
      help: "Time from handing the event to the container to its result",
      labelNames: ["outcome"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    }),
    initDuration: new Histogram({
      name: "stratus_init_duration_seconds",
      help: "Init Duration of cold starts, as in their REPORT lines: from the container's start (a stem cell: its specialisation) to its runtime's first request for work, by runtime and kind (stem_cell, scratch)",
      labelNames: ["runtime", "kind"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    freezes: new Counter({
      name: "stratus_container_freezes_total",
      help: "Idle warm containers frozen (no CPU until their function's next invocation thaws them)",
      registers: [registry],
    }),
    coldStarts: new Counter({
      name: "stratus_cold_starts_total",
      help: "Invocations that needed a new container, by runtime and kind (stem_cell: a prewarmed stem cell specialised; scratch: created from scratch)",
      labelNames: ["runtime", "kind"] as const,
      registers: [registry],
    }),
    containers: new Gauge({
      name: "stratus_containers",
      help: "Containers on this node by state (stem: prewarmed stem cells ready to specialise)",
      labelNames: ["state"] as const,
      registers: [registry],
      collect() {
        for (const [state, n] of Object.entries(stats().byState)) this.set({ state }, n);
      },
    }),
    capacity: new Gauge({
      name: "stratus_node_memory_mb",
      help: "Function memory on this node: used and free, in MB",
      labelNames: ["kind"] as const,
      registers: [registry],
      collect() {
        const { usedMb, capacityMb } = stats();
        this.set({ kind: "used" }, usedMb);
        this.set({ kind: "free" }, Math.max(0, capacityMb - usedMb));
      },
    }),
    oomKills: new Counter({
      name: "stratus_oom_kills_total",
      help: "Processes of function containers killed for exceeding the function's memory size (its runtime, or a process it started that the runtime outlived), by function version",
      labelNames: FUNCTION_LABELS,
      registers: [registry],
    }),
    oomDetectionDegraded: oomDetectionGauge(registry),
    timeouts: new Counter({
      name: "stratus_timeouts_total",
      help: "Invocations stopped at their function's timeout, by function version",
      labelNames: FUNCTION_LABELS,
      registers: [registry],
    }),
    provisioned: new Gauge({
      name: "stratus_provisioned_containers",
      help: "Containers of provisioned sets on this node whose runtime has finished its init (idle on /next, or running an invocation since), by function version",
      labelNames: FUNCTION_LABELS,
      registers: [registry],
    }),
    evictions: new Counter({
      name: "stratus_container_evictions_total",
      help: "Idle containers removed to make room (capacity), after their TTL (idle), as what they ran was retired (deleted or replaced), or because the engine could not freeze them (unfreezable)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    deadNodeLeftoversRemoved: new Counter({
      name: "stratus_dead_node_leftovers_removed_total",
      help: "Containers and networks left on this node's engine by dead peer nodes (never started again) that this node removed, by kind",
      labelNames: ["kind"],
      registers: [registry],
    }),
    logsDropped: new Counter({
      name: "stratus_invocation_logs_dropped_total",
      help: "Invocation logs this node dropped instead of storing: its queue overflowed while the control plane could not take them, or the control plane refused them as invalid",
      registers: [registry],
    }),
  };
}

export type InvokerMetrics = ReturnType<typeof createInvokerMetrics>;
