// EventBridge's metrics, registered on the registry passed in: events put (by
// outcome) and the deliveries they matched. A scheduled rule's ticks are counted with
// the schedules' (stratus_schedule_ticks_fired_total / _skipped_total).
import { Counter, type Registry } from "prom-client";
import type { EventCounters } from "./put-events.js";

export function createEventMetrics(registry: Registry): EventCounters {
  return {
    put: new Counter({
      name: "stratus_events_put_total",
      help: "PutEvents entries by outcome: accepted (given an EventId) or failed (answered with an ErrorCode)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    matched: new Counter({
      name: "stratus_events_matched_total",
      help: "Deliveries of put events to rule targets: async invocations and queue messages written for the rules the events matched",
      registers: [registry],
    }),
    lost: new Counter({
      name: "stratus_events_lost_total",
      help: "Deliveries of put events to a queue target whose queue was gone, with no dead-letter queue to take them",
      registers: [registry],
    }),
  };
}
