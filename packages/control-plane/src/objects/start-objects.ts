// Bucket triggers' part of a control plane, built in one place: the store, the
// receiver that MinIO and Ceph post to, and the S3 notification configuration API.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { FunctionService } from "../services/function-service.js";
import type { PolicyService } from "../services/policy-service.js";
import type { TopicRefs } from "../sns/topic-refs.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import { createPgObjectEventStore } from "../store/object-event-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { createBucketNotifications } from "./bucket-notifications.js";
import { createObjectEventReceiver } from "./object-event-receiver.js";

export function startObjects(
  pool: Pool,
  deps: {
    functions: Pick<FunctionService, "get">;
    policies: Pick<PolicyService, "allows">;
    settings: Pick<SettingsStore, "getEventInvokeConfig">;
    relay: { nudge(): void };
    queues?: QueueRefs;
    topics?: TopicRefs;
    /** Wakes SNS's publish relay. */
    published?: () => void;
  },
  opts: { region: string; dbStatementTimeoutMs: number; log: Logger },
) {
  const store = createPgObjectEventStore(pool, opts.dbStatementTimeoutMs);
  const check = {
    functions: deps.functions,
    policies: deps.policies,
    queues: deps.queues,
    topics: deps.topics,
    region: opts.region,
  };
  return {
    receiver: createObjectEventReceiver({
      ...check,
      store,
      settings: deps.settings,
      relay: deps.relay,
      published: deps.published,
      log: opts.log,
    }),
    notifications: createBucketNotifications(store, check),
  };
}

export type Objects = ReturnType<typeof startObjects>;
