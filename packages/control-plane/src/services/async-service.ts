// Accepting Event invocations: checks the function, reads its event-invoke config
// (retries, maximum event age, destinations) and commits the invocation before the
// caller gets 202, then hands it to the relay to queue. Also reads, lists and
// re-drives them.
import { randomUUID } from "node:crypto";
import {
  decideTrace,
  errors,
  formatXrayHeader,
  LATEST,
  limits,
  noTracer,
  type TraceContext,
  type Tracer,
} from "@stratus/shared";
import type { Relay } from "../async/relay.js";
import { markStage } from "../async/stage-marks.js";
import type { EventInvokeConfig } from "../domain.js";
import type { MetricCounters } from "../monitoring/metric-counters.js";
import type { AsyncStatus } from "../store/async-state.js";
import type { AsyncInvocation, AsyncStore, NewAsyncInvocation } from "../store/async-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import type { FunctionService } from "./function-service.js";
import type { CallTraceInput } from "./invoke-tracing.js";
import { MAX_RETRY_ATTEMPTS } from "./update-input.js";

/** Lambda's default maximum event age: six hours. */
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;

/**
 * What a function's event-invoke config (none: Lambda's defaults) makes of an async
 * invocation of it: its attempts, its maximum age and its destinations. Invoke's Event
 * type, bucket notifications and alarm actions all take them from here.
 */
export function asyncLimitsOf(
  config: EventInvokeConfig | undefined,
): Pick<NewAsyncInvocation, "maxAttempts" | "maxEventAgeSeconds" | "onSuccess" | "onFailure"> {
  const onSuccess = config?.destinationConfig.OnSuccess?.Destination;
  const onFailure = config?.destinationConfig.OnFailure?.Destination;
  return {
    maxAttempts: 1 + (config?.maximumRetryAttempts ?? MAX_RETRY_ATTEMPTS),
    maxEventAgeSeconds: config?.maximumEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS,
    ...(onSuccess ? { onSuccess } : {}),
    ...(onFailure ? { onFailure } : {}),
  };
}

export interface AsyncService {
  /**
   * Commits an Event invocation; resolves with its id and the trace it was accepted in,
   * which every attempt of it joins (`trace`: the caller's, and when the API took it).
   */
  accept(
    accountId: string,
    functionName: string,
    qualifier: string | undefined,
    payload: Buffer,
    trace?: Pick<CallTraceInput, "incoming" | "acceptedAt">,
  ): Promise<{ id: string; trace: TraceContext }>;
  get(accountId: string, id: string): Promise<AsyncInvocation>;
  list(
    accountId: string,
    functionName: string,
    status: AsyncStatus | undefined,
    limit: number,
  ): Promise<AsyncInvocation[]>;
  redrive(accountId: string, id: string): Promise<void>;
}

export function createAsyncService(
  store: AsyncStore,
  functions: FunctionService,
  settings: SettingsStore,
  relay: Pick<Relay, "publish" | "nudge">,
  tracer: Tracer = noTracer,
): AsyncService {
  return {
    async accept(accountId, functionName, qualifier, payload, trace) {
      if (payload.length > limits.asyncPayloadBytes) {
        throw errors.tooLarge(`Request must be smaller than ${limits.asyncPayloadBytes} bytes for an Event invocation`);
      }
      const fn = await functions.get(accountId, functionName, qualifier);
      const accepting = tracer.start("accept", decideTrace(trace?.incoming, fn.tracingMode), {
        kind: "server",
        ...(trace?.acceptedAt !== undefined ? { startTime: trace.acceptedAt } : {}),
        attributes: { "faas.name": fn.name, "faas.invocation_type": "Event" },
      });
      const config = await settings.getEventInvokeConfig(accountId, functionName, qualifier ?? LATEST);
      const id = randomUUID();
      const job = await store.accept({
        traceHeader: formatXrayHeader(accepting.context),
        id,
        accountId,
        functionName,
        ...(qualifier ? { qualifier } : {}),
        payload,
        ...asyncLimitsOf(config),
      });
      markStage("accepted", id);
      accepting.end();
      relay.publish(job);
      return { id, trace: accepting.context };
    },
    async get(accountId, id) {
      const found = await store.get(accountId, id);
      if (!found) throw errors.notFound(`Invocation not found: ${id.slice(0, 64)}`);
      return found;
    },
    list: (accountId, functionName, status, limit) => store.list(accountId, functionName, status, limit),
    async redrive(accountId, id) {
      if (!(await store.redrive(accountId, id))) {
        // Another account's id is answered as an unknown one: its existence is not the caller's to learn.
        if (!(await store.get(accountId, id))) throw errors.notFound(`Invocation not found: ${id.slice(0, 64)}`);
        throw errors.conflict(`Invocation ${id.slice(0, 64)} is not dead-lettered or expired`);
      }
      relay.nudge();
    },
  };
}

/** `service`, counting each accepted event in Lambda's AsyncEventsReceived. */
export function countingReceived(service: AsyncService, counters: MetricCounters): AsyncService {
  return {
    ...service,
    async accept(accountId, functionName, qualifier, payload) {
      const id = await service.accept(accountId, functionName, qualifier, payload);
      counters.record({ accountId, functionName, resource: qualifier ?? "", metric: "AsyncEventsReceived" });
      return id;
    },
  };
}
