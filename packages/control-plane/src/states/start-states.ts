// Step Functions' part of a control plane, built in one place so the composition root
// gains a line: its stores and services, the listener that brings a task's async
// invocation's end back to its execution, and the durable driver's loop. Executions
// write to CloudWatch Logs as their events are appended, through a sink over the log
// event store that writes in the append's transaction.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { FinishedHooks, InvocationFinished } from "../async/finished-hooks.js";
import type { FunctionService } from "../services/function-service.js";
import { createTaskPublishes } from "../sns/task-publish.js";
import type { TopicRefs } from "../sns/topic-refs.js";
import type { ExecutionStore } from "../store/execution-store.js";
import { createPgLogEventStore } from "../store/log-event-store.js";
import { createPgExecutionStore, type ExecutionLogSink } from "../store/sfn-execution-store.js";
import { createPgMachineStore } from "../store/sfn-machine-store.js";
import { createPgStartRequests } from "../store/sfn-start-requests.js";
import { createDriver } from "./durable-driver.js";
import type { ExecutionLogPort } from "./execution-logs.js";
import { startHistoryPurge } from "./history-purge.js";
import { functionError, type TaskOutcome } from "./outcome-events.js";
import { appendOutcome, type LoadContext } from "./outcomes.js";
import { createServiceCalls, type ServiceCallDeps } from "./service-calls.js";
import { createExecutionService } from "./sfn-executions.js";
import { createMachineService } from "./sfn-machines.js";
import { startStartRelay } from "./start-relay.js";
import { createSyncExecution } from "./sync-execution.js";
import { createTaskPort } from "./task-effects.js";

/** How the driver runs: fixed, as the async path's own loops are. */
const DRIVER = { pollMs: 200, leaseMs: 15_000, sweepMs: 30_000, batch: 32 };

/** A task's outcome as Step Functions names it, from the async invocation's end. */
export function taskOutcome(f: InvocationFinished["outcome"]): TaskOutcome {
  if (f.ok) {
    const text = f.payload.toString("utf8");
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: true, value: text };
    }
  }
  if (f.functionError) return functionError(f.errorType, f.errorMessage);
  const error = f.errorType.includes(".") ? f.errorType : `Lambda.${f.errorType}`;
  return { ok: false, error, cause: f.errorMessage };
}

/** The listener the states service registers on the async path. */
export function taskListener(store: ExecutionStore, load: LoadContext, due: () => void = () => undefined) {
  return async (f: InvocationFinished): Promise<void> => {
    const link = await store.taskOfInvocation(f.invocationId);
    if (!link) return;
    // A callback task's function only delivers its token: its success is not the task's.
    if (link.token !== undefined && f.outcome.ok) return;
    if (await appendOutcome(store, load, link.executionArn, link.effectKey, taskOutcome(f.outcome))) due();
  };
}

export function startStates(
  pool: Pool,
  functions: Pick<FunctionService, "get">,
  relay: { nudge(): void },
  hooks: FinishedHooks,
  integrations: Pick<ServiceCallDeps, "messages" | "events"> & { sns: { topics: TopicRefs; published(): void } },
  opts: {
    region: string;
    log: Logger;
    dbStatementTimeoutMs: number;
    states: { historyRetentionMs: number; expressMaxMs?: number };
  },
) {
  const logStore = createPgLogEventStore(pool, opts.dbStatementTimeoutMs);
  const logs: ExecutionLogPort = {
    groupExists: async (accountId, group) => (await logStore.getGroup(accountId, group)) !== undefined,
  };
  // Each append's lines go in with its events (a group deleted since the machine was made gets none).
  const sink: ExecutionLogSink = {
    async write(tx, accountId, batch) {
      if (!(await logStore.getGroup(accountId, batch.group, tx))) return;
      await logStore.append([{ accountId, ...batch }], tx);
    },
    failed: (executionArn, err) => opts.log.error("execution log lines not written", { executionArn, err }),
  };
  const store = createPgExecutionStore(pool, opts.dbStatementTimeoutMs, sink);
  const machineStore = createPgMachineStore(pool, opts.dbStatementTimeoutMs);
  const machines = createMachineService(machineStore, opts.region, logs);
  // The driver is made below; what the API and the listener make due wakes it at once.
  const due = () => driver.nudge();
  const executions = createExecutionService(store, machineStore, opts.region, Date.now, due);
  const expressMaxMs = opts.states.expressMaxMs;
  const sync = createSyncExecution(store, machineStore, executions, expressMaxMs ? { limitMs: expressMaxMs } : {});
  hooks.register(taskListener(store, executions.load, due));
  const tasks = createTaskPort({
    store,
    nudge: () => relay.nudge(),
    startChild: executions.startChild,
    callService: createServiceCalls({
      store,
      nudge: () => relay.nudge(),
      startsDue: () => starts.nudge(),
      messages: integrations.messages,
      events: integrations.events,
      publishes: createTaskPublishes(integrations.sns.topics),
      published: () => integrations.sns.published(),
    }),
    async functionExists(accountId, name, qualifier) {
      try {
        await functions.get(accountId, name, qualifier);
        return true;
      } catch (err) {
        if ((err as { code?: string }).code === "ResourceNotFoundException") return false;
        throw err;
      }
    },
  });
  // Executions that rules' and schedules' state machine targets asked for.
  const starts = startStartRelay(
    createPgStartRequests(pool, opts.dbStatementTimeoutMs),
    // An Express machine's execution takes the request's id too, so a second start finds the first.
    (r) => executions.start(r.accountId, r.machineArn, r.id, r.input, undefined, r.id),
    opts.log,
  );
  const driver = createDriver(
    { store, load: executions.load, tasks, ended: executions.ended, log: opts.log },
    { ...DRIVER, ...(expressMaxMs ? { expressMaxMs } : {}) },
  );
  driver.start();
  const purge = startHistoryPurge(store, { retentionMs: opts.states.historyRetentionMs }, opts.log);
  return {
    machines,
    executions,
    sync,
    /** New start requests were written (state machine targets): start them now. */
    startsDue: () => starts.nudge(),
    async stop() {
      await Promise.all([driver.stop(), purge.stop(), starts.stop()]);
    },
  };
}

export type StatesServices = Pick<ReturnType<typeof startStates>, "machines" | "executions" | "sync">;
