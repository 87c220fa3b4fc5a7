// SNS in a control plane, built in one place so the composition root gains a line:
// its store, its operations by name (for the awsQuery router), its metrics, what
// other services ask of its topics, and the relay that fans out what they publish.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import { Counter, type Registry } from "prom-client";
import type { FunctionService } from "../services/function-service.js";
import type { PolicyService } from "../services/policy-service.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import type { SettingsStore } from "../store/settings-store.js";
import { createPgSnsStore } from "../store/sns-store.js";
import { createFanout } from "./fanout.js";
import { createPgFifoTopicStore } from "./fifo-topic-store.js";
import { countPublished, createPublish } from "./publish.js";
import { startPublishRelay } from "./publish-relay.js";
import { createSubscriptionOps } from "./subscription-ops.js";
import { createTopicOps } from "./topic-ops.js";
import { createTopicRefs } from "./topic-refs.js";

/** An operation of SNS's API: the caller's account and the decoded input, to the output (api/query-routes.ts serves it). */
export type SnsOp = (accountId: string, b: Record<string, unknown>) => Promise<Record<string, unknown>>;

export function startSns(
  pool: Pool,
  deps: {
    functions: Pick<FunctionService, "get">;
    policies: Pick<PolicyService, "allows">;
    settings: Pick<SettingsStore, "getEventInvokeConfig">;
    queues: QueueRefs;
    relay: { nudge(): void };
    registry: Registry;
  },
  opts: { region: string; dbStatementTimeoutMs: number; log: Logger },
) {
  const store = createPgSnsStore(pool, opts.dbStatementTimeoutMs);
  const fanout = createFanout({ ...deps, region: opts.region, log: opts.log });
  const topics = createTopicOps(store, opts.region);
  const counters = {
    published: new Counter({
      name: "stratus_sns_messages_published_total",
      help: "Messages accepted by SNS Publish and PublishBatch",
      registers: [deps.registry],
    }),
    deliveries: new Counter({
      name: "stratus_sns_deliveries_total",
      help: "SNS deliveries to subscriptions, by outcome (delivered, filtered, failed)",
      labelNames: ["outcome"],
      registers: [deps.registry],
    }),
  };
  const ops: Record<string, SnsOp> = {
    ...topics.ops,
    ...createSubscriptionOps(store, {
      topics,
      functions: deps.functions,
      queues: deps.queues,
      fanout,
      region: opts.region,
    }),
    ...createPublish(
      store,
      createPgFifoTopicStore(pool, opts.dbStatementTimeoutMs),
      fanout,
      deps.relay,
      counters,
      opts.region,
    ),
  };
  const relay = startPublishRelay({
    store,
    fanOut: fanout.fanOut,
    counted: (count, lost) => countPublished(counters, count, lost, 1),
    relay: deps.relay,
    log: opts.log,
  });
  return {
    ops,
    /** For rules', schedules' and alarms' checks of the topics they name. */
    topics: createTopicRefs(store, opts.region),
    /** Publish requests were written: fan them out now. */
    published: () => relay.nudge(),
    stop: () => relay.stop(),
  };
}
