// Performing an execution's pending effects, each idempotent by its key: a Lambda task
// is accepted on the durable async path under an invocation id derived from the key
// (so an effect performed again after a crash or on every sweep invokes once), linked
// to the execution so its end comes back (finished-hooks.ts); a callback task also
// records its token; a nested execution is started under a name derived likewise.
import { limits } from "@stratus/shared";
import { derivedUuid } from "../schedules/firing.js";
import type { ExecutionRow, ExecutionStore } from "../store/execution-store.js";
import type { TaskOutcome } from "./outcome-events.js";
import type { PendingEffect } from "./outcomes.js";
import type { CallbackEffect, InvokeEffect, ServiceCallEffect, StartExecutionEffect } from "./types.js";

/** Lambda's default maximum event age; the task's own TimeoutSeconds bounds it in practice. */
const MAX_EVENT_AGE_SECONDS = 21_600;

export interface TaskPort {
  /** Starts the effect's work unless started before; an outcome to append at once when it cannot start or is known. */
  perform(row: ExecutionRow, effect: PendingEffect): Promise<TaskOutcome | undefined>;
}

export interface TaskDeps {
  store: Pick<ExecutionStore, "acceptTask">;
  functionExists(accountId: string, name: string, qualifier: string | undefined): Promise<boolean>;
  /** Tells the relay an outbox row is due. */
  nudge(): void;
  startChild(parent: ExecutionRow, effect: StartExecutionEffect): Promise<TaskOutcome | undefined>;
  /** Makes a service integration's call once (service-calls.ts); its outcome, unless it awaits a token. */
  callService(row: ExecutionRow, effect: ServiceCallEffect): Promise<TaskOutcome | undefined>;
}

const notFound = (ref: string): TaskOutcome => ({
  ok: false,
  error: "Lambda.ResourceNotFoundException",
  cause: `Function not found: ${ref}`,
});

/** A function named by ARN (of `accountId` only: another account's is not found), by name, or name:qualifier. */
export function functionRef(ref: string, accountId: string): { name: string; qualifier?: string } | undefined {
  const arn =
    /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/.exec(ref);
  if (arn)
    return arn[1] === accountId ? { name: arn[2] as string, ...(arn[3] ? { qualifier: arn[3] } : {}) } : undefined;
  const plain = /^([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/.exec(ref);
  return plain ? { name: plain[1] as string, ...(plain[2] ? { qualifier: plain[2] } : {}) } : undefined;
}

/** The async invocation id a task's effect becomes. */
export const taskInvocationId = (executionArn: string, effectKey: string) =>
  derivedUuid(`states/${executionArn}/${effectKey}`);

export function createTaskPort(deps: TaskDeps): TaskPort {
  async function invoke(row: ExecutionRow, effect: InvokeEffect | CallbackEffect): Promise<TaskOutcome | undefined> {
    const fn = functionRef(effect.functionArn, row.accountId);
    if (!fn || !(await deps.functionExists(row.accountId, fn.name, fn.qualifier))) return notFound(effect.functionArn);
    const payload = Buffer.from(JSON.stringify(effect.payload));
    if (payload.length > limits.asyncPayloadBytes) {
      const cause = `The task's payload of ${payload.length} bytes is over ${limits.asyncPayloadBytes} bytes`;
      return { ok: false, error: "Lambda.RequestTooLargeException", cause };
    }
    const id = taskInvocationId(row.arn, effect.idempotencyKey);
    await deps.store.acceptTask(
      {
        executionArn: row.arn,
        accountId: row.accountId,
        effectKey: effect.idempotencyKey,
        invocationId: id,
        ...(effect.kind === "awaitCallback" ? { token: effect.taskToken } : {}),
      },
      {
        id,
        accountId: row.accountId,
        functionName: fn.name,
        ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
        payload,
        // Step Functions calls the function once per attempt; the state's Retry retries.
        maxAttempts: 1,
        maxEventAgeSeconds: MAX_EVENT_AGE_SECONDS,
        // Its outcome is the task's: the finished hooks bring it back to the execution.
        awaited: true,
      },
    );
    deps.nudge();
    return undefined;
  }
  return {
    perform: (row, effect) => {
      if (effect.kind === "startExecution") return deps.startChild(row, effect);
      if (effect.kind === "serviceCall") return deps.callService(row, effect);
      return invoke(row, effect);
    },
  };
}
