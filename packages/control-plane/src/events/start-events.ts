// EventBridge's part of a control plane, built in one place so the composition root
// gains a line, not a section: its store, services and metrics, and the loop that
// fires scheduled rules (the schedules' loop, claiming rules instead).
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { Registry } from "prom-client";
import type { ArnRefs as TopicRefs } from "../arns.js";
import type { ControlPlaneMetrics } from "../metrics.js";
import { startScheduleFirer } from "../schedules/schedule-firer.js";
import type { FunctionService } from "../services/function-service.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import { createPgEventStore, type Rule } from "../store/event-store.js";
import type { MachineRefs } from "../store/sfn-machine-refs.js";
import { createBusUpdate } from "./bus-update.js";
import { createEventMetrics } from "./event-metrics.js";
import { createEventTags } from "./event-tags.js";
import { createPutEvents } from "./put-events.js";
import { planRuleFiring } from "./rule-firing.js";
import { createRuleService } from "./rule-service.js";

export function startEvents(
  pool: Pool,
  functions: Pick<FunctionService, "get">,
  relay: { nudge(): void },
  registry: Registry,
  metrics: Pick<ControlPlaneMetrics, "scheduleTicksFired" | "scheduleTicksSkipped">,
  opts: {
    region: string;
    async: { schedulePollMs: number };
    log: Logger;
    queues?: QueueRefs;
    machines?: MachineRefs;
    topics?: TopicRefs;
    /** Wakes SNS's publish relay (topic targets). */
    published?: () => void;
    /** Wakes the states module's start relay (state machine targets). */
    startsDue?: () => void;
  },
) {
  const store = createPgEventStore(pool);
  const firer = startScheduleFirer<Rule>(
    store,
    relay,
    { intervalMs: opts.async.schedulePollMs, region: opts.region, plan: planRuleFiring },
    { fired: metrics.scheduleTicksFired, skipped: metrics.scheduleTicksSkipped },
    opts.log,
  );
  return {
    rules: createRuleService(store, functions, opts.region, undefined, opts.queues, opts.machines, opts.topics),
    putEvents: createPutEvents(
      store,
      { nudge: () => relay.nudge(), startsDue: () => opts.startsDue?.(), published: () => opts.published?.() },
      opts.region,
      createEventMetrics(registry),
    ),
    tags: createEventTags(store, opts.region),
    buses: createBusUpdate(store, opts.region),
    stop: () => firer.stop(),
  };
}
