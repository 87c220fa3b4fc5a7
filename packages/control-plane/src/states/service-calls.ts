// The service integrations Stratus runs besides Lambda's: sqs:sendMessage (a message
// to one of the account's queues), events:putEvents (entries put on the account's
// buses, their deliveries written) and sns:publish (a message to one of the account's
// topics, fanned out by SNS's relay), each with `.waitForTaskToken` or not. A call is
// written once per task (acceptCall), its ids derived from the task's key, so
// performing it again (after a crash, or on each sweep while it awaits its token)
// writes nothing more and answers alike.
import { StratusError } from "@stratus/shared";
import { derivedUuid } from "../schedules/firing.js";
import type { TaskPublishes } from "../sns/task-publish.js";
import type { TaskMessages } from "../sqs/task-messages.js";
import type { ExecutionRow, ExecutionStore, TaskWrites } from "../store/execution-store.js";
import type { TaskOutcome } from "./outcome-events.js";
import type { Json, ServiceCallEffect } from "./types.js";

type Body = Record<string, unknown>;

/** What a PutEvents request would write (events/put-events.ts makes it), as a task needs it. */
export interface PutEventsPlan {
  results: Json[];
  failed: number;
  deliveries: Required<Pick<TaskWrites, "invocations" | "letters" | "starts">> & Pick<TaskWrites, "publishes">;
}

export interface ServiceCallDeps {
  store: Pick<ExecutionStore, "acceptCall">;
  messages: TaskMessages;
  publishes: TaskPublishes;
  events: {
    plan(accountId: string, body: Body, newId: () => string): Promise<PutEventsPlan>;
    count(plan: PutEventsPlan, lost: number): void;
  };
  /** Tells the relay an outbox row is due (the put events' invocations). */
  nudge(): void;
  /** Tells the start relay executions are due (the put events' state machine targets). */
  startsDue?(): void;
  /** Tells SNS's relay messages to topics are due (sns:publish, the put events' topic targets). */
  published?(): void;
}

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/** PutEvents' body from a task's parameters: an entry's Detail may be JSON, sent as its text. */
function putEventsBody(parameters: unknown): Body {
  if (!isObject(parameters)) return { Entries: undefined };
  const entries = Array.isArray(parameters.Entries)
    ? parameters.Entries.map((e) =>
        isObject(e) && e.Detail !== undefined && typeof e.Detail !== "string"
          ? { ...e, Detail: JSON.stringify(e.Detail) }
          : e,
      )
    : parameters.Entries;
  return { ...parameters, Entries: entries };
}

export function createServiceCalls(deps: ServiceCallDeps) {
  return async function callService(row: ExecutionRow, effect: ServiceCallEffect): Promise<TaskOutcome | undefined> {
    const task = {
      executionArn: row.arn,
      accountId: row.accountId,
      effectKey: effect.idempotencyKey,
      ...(effect.taskToken ? { token: effect.taskToken } : {}),
    };
    const base = `states/${row.arn}/${effect.idempotencyKey}`;
    if (effect.service === "sqs") {
      const made = await deps.messages.prepare(row.accountId, effect.parameters, derivedUuid(base));
      if ("error" in made) return { ok: false, error: made.error, cause: made.cause };
      await deps.store.acceptCall(task, { messages: [{ queueId: made.queueId, message: made.message }] });
      return effect.taskToken ? undefined : { ok: true, value: made.output };
    }
    if (effect.service === "sns") {
      const made = await deps.publishes.prepare(row.accountId, effect.parameters, derivedUuid(base));
      if ("error" in made) return { ok: false, error: made.error, cause: made.cause };
      if (await deps.store.acceptCall(task, { publishes: [made.request] })) deps.published?.();
      return effect.taskToken ? undefined : { ok: true, value: made.output };
    }
    let n = 0;
    let plan: PutEventsPlan;
    try {
      plan = await deps.events.plan(row.accountId, putEventsBody(effect.parameters), () =>
        derivedUuid(`${base}/${n++}`),
      );
    } catch (err) {
      if (!(err instanceof StratusError) || err.kind !== "client") throw err;
      return { ok: false, error: `EventBridge.${err.code}`, cause: err.message };
    }
    const answer = { Entries: plan.results, FailedEntryCount: plan.failed };
    // As on Step Functions, an entry that fails fails the task (and nothing is put).
    if (plan.failed > 0) return { ok: false, error: "EventBridge.FailedEntry", cause: JSON.stringify(answer) };
    const { invocations, letters, starts, publishes = [] } = plan.deliveries;
    if (await deps.store.acceptCall(task, { invocations, letters, starts, publishes })) {
      deps.events.count(plan, 0);
      if (invocations.length > 0) deps.nudge();
      if (starts.length > 0) deps.startsDue?.();
      if (publishes.length > 0) deps.published?.();
    }
    return effect.taskToken ? undefined : { ok: true, value: answer };
  };
}
