// Bucket triggers' part of a control plane, built in one place: the store, the
// receiver that MinIO and Ceph post to, and the S3 notification configuration API.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { FunctionService } from "../services/function-service.js";
import type { PolicyService } from "../services/policy-service.js";
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
  },
  opts: { region: string; dbStatementTimeoutMs: number; log: Logger },
) {
  const store = createPgObjectEventStore(pool, opts.dbStatementTimeoutMs);
  const check = { functions: deps.functions, policies: deps.policies, region: opts.region };
  return {
    receiver: createObjectEventReceiver({ ...check, store, settings: deps.settings, relay: deps.relay, log: opts.log }),
    notifications: createBucketNotifications(store, check),
  };
}

export type Objects = ReturnType<typeof startObjects>;
