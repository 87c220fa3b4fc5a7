// Task: schedules its resource's work (an event recording what was sent), waits for
// the outcome the driver appends, times out by a durable timer, and hands errors to
// Retry / Catch. The idempotency key of an invocation is (execution, thread, state
// visit, attempt), so a driver that performs the effect twice invokes once.
import { createHash } from "node:crypto";
import { blocked, Decider, progress, type StepResult } from "./decider.js";
import { runtimeError } from "./errors.js";
import type { Thread } from "./history.js";
import { effectiveInput, stateOutput } from "./io.js";
import { evaluateField } from "./jsonata-eval.js";
import { selectPath } from "./paths.js";
import { parseTaskResource, SERVICE_ACTIONS } from "./task-resources.js";
import type { Effect, Json, JsonObject, StateDef } from "./types.js";

/**
 * The token `.waitForTaskToken` hands out for the task scheduled as event `eventId`.
 * Hex, so it never starts with `-` (the AWS CLI would read `--task-token -x…` as an option).
 */
export const taskToken = (executionArn: string, eventId: number) =>
  createHash("sha256").update(`${executionArn}|${eventId}`).digest("hex");

/** What every token taskToken makes looks like. */
export const TASK_TOKEN = /^[0-9a-f]{64}$/;

/** TimeoutSeconds or HeartbeatSeconds (or its Path / JSONata form): a positive integer, if set. */
async function seconds(
  d: Decider,
  t: Thread,
  def: StateDef,
  field: "Timeout" | "Heartbeat",
): Promise<number | undefined> {
  const s = d.scopes(t);
  const name = `${field}Seconds`;
  let v: Json | undefined = def[name] as Json | undefined;
  if (s.jsonata && v !== undefined) v = await evaluateField(v, s.jsonataScope(), name);
  if (typeof def[`${name}Path`] === "string")
    v = selectPath(t.input, def[`${name}Path`] as string, `${name}Path`, s.path);
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw runtimeError(`${name} must be a positive integer, not ${JSON.stringify(v)}`);
  return v;
}

/**
 * Tasks whose worker can send SendTaskHeartbeat: the callback pattern and the job-run
 * (.sync) pattern, as on Step Functions. A request-response task ends with its call,
 * so HeartbeatSeconds has nothing to watch there.
 */
function heartbeats(def: StateDef): boolean {
  const r = parseTaskResource(def.Resource as string);
  if ("unsupported" in r || r.kind === "function") return false;
  if (r.kind === "lambdaInvoke" || r.kind === "service") return r.callback;
  return r.mode !== "start";
}

function schedule(d: Decider, t: Thread, def: StateDef, payload: Json, timeout: number | undefined): StepResult {
  const resource = parseTaskResource(def.Resource as string);
  if ("unsupported" in resource) throw runtimeError(resource.unsupported);
  if (resource.kind === "function") {
    d.emit(t, "LambdaFunctionScheduled", {
      resource: resource.functionArn,
      input: JSON.stringify(payload),
      ...(timeout ? { timeoutInSeconds: timeout } : {}),
    });
  } else {
    const [resourceType, action] =
      resource.kind === "lambdaInvoke"
        ? ["lambda", "invoke"]
        : resource.kind === "service"
          ? [resource.service, SERVICE_ACTIONS[resource.service]]
          : ["states", "startExecution"];
    const suffix = (/(\.[A-Za-z0-9:]+)$/.exec(def.Resource as string) ?? [""])[0];
    d.emit(t, "TaskScheduled", {
      resourceType,
      resource: `${action}${suffix}`,
      region: d.info.executionArn.split(":")[3] ?? "",
      parameters: JSON.stringify(payload),
      ...(timeout ? { timeoutInSeconds: timeout } : {}),
    });
  }
  return progress;
}

/** The effect a pending task asks of the driver. */
function pendingEffect(d: Decider, t: Thread, def: StateDef, eventId: number, payload: Json, attempt: number): Effect {
  const resource = parseTaskResource(def.Resource as string);
  const idempotencyKey = `${d.info.executionArn}/${t.key}/${t.state}@${t.enteredEventId}/${attempt}`;
  if ("unsupported" in resource) throw runtimeError(resource.unsupported);
  if (resource.kind === "function") {
    return {
      kind: "invoke",
      idempotencyKey,
      scheduledEventId: eventId,
      events: "lambda",
      functionArn: resource.functionArn,
      payload,
      wrapOutput: false,
    };
  }
  if (resource.kind === "service") {
    return {
      kind: "serviceCall",
      scheduledEventId: eventId,
      idempotencyKey,
      service: resource.service,
      parameters: payload,
      ...(resource.callback ? { taskToken: taskToken(d.info.executionArn, eventId) } : {}),
    };
  }
  const params = (payload ?? {}) as JsonObject;
  if (resource.kind === "lambdaInvoke") {
    const functionArn = String(params.FunctionName ?? "");
    if (resource.callback)
      return {
        kind: "awaitCallback",
        scheduledEventId: eventId,
        taskToken: taskToken(d.info.executionArn, eventId),
        functionArn,
        payload: params.Payload ?? null,
        idempotencyKey,
      };
    return {
      kind: "invoke",
      idempotencyKey,
      scheduledEventId: eventId,
      events: "task",
      functionArn,
      payload: params.Payload ?? null,
      wrapOutput: true,
    };
  }
  const input = typeof params.Input === "string" ? (JSON.parse(params.Input) as Json) : (params.Input ?? {});
  return {
    kind: "startExecution",
    scheduledEventId: eventId,
    ...(resource.mode === "callback" ? { taskToken: taskToken(d.info.executionArn, eventId) } : {}),
    idempotencyKey,
    stateMachineArn: String(params.StateMachineArn ?? ""),
    input,
    ...(typeof params.Name === "string" ? { name: params.Name } : {}),
    waitForCompletion: resource.mode === "sync" || resource.mode === "sync2",
    outputAsJson: resource.mode === "sync2",
  };
}

/** What the Scheduled event recorded as sent (the payload is decided once, when scheduling). */
function sentPayload(d: Decider, eventId: number): Json {
  const e = d.view.events[eventId - 1];
  if (e?.type === "TaskScheduled")
    return JSON.parse(String((e.taskScheduledEventDetails as JsonObject).parameters)) as Json;
  return JSON.parse(String(((e?.lambdaFunctionScheduledEventDetails ?? {}) as JsonObject).input ?? "null")) as Json;
}

export async function stepTask(d: Decider, t: Thread, def: StateDef): Promise<StepResult> {
  const timeout = await seconds(d, t, def, "Timeout");
  const scheduleNow = async () => {
    const token = taskToken(d.info.executionArn, d.view.events.length + 1);
    return schedule(d, t, def, await effectiveInput(def, t.input, d.scopes(t, { Task: { Token: token } })), timeout);
  };
  if (!t.scheduled) return scheduleNow();
  const { eventId, at, attempt } = t.scheduled;
  if (!t.outcome) {
    const lambda = d.view.events[eventId - 1]?.type === "LambdaFunctionScheduled";
    const timedOut = lambda ? "LambdaFunctionTimedOut" : "TaskTimedOut";
    const deadline = timeout === undefined ? undefined : at + timeout * 1000;
    if (deadline !== undefined && d.now >= deadline) {
      const cause = `The task did not finish within ${timeout} seconds`;
      d.emit(t, timedOut, { error: "States.Timeout", cause }, eventId);
      return progress;
    }
    const effect = pendingEffect(d, t, def, eventId, sentPayload(d, eventId), attempt);
    const effects: Effect[] = [effect];
    if (deadline !== undefined)
      effects.push({
        kind: "timer",
        timerKey: `${t.key}/${t.state}@${t.enteredEventId}#timeout${attempt}`,
        fireAt: deadline,
      });
    const heartbeat = heartbeats(def) ? await seconds(d, t, def, "Heartbeat") : undefined;
    if (heartbeat !== undefined && effect.kind !== "timer") {
      const beat = Math.max(at, d.heartbeats[effect.idempotencyKey] ?? 0) + heartbeat * 1000;
      if (d.now >= beat) {
        const cause = `The task sent no heartbeat for ${heartbeat} seconds`;
        d.emit(t, timedOut, { error: "States.HeartbeatTimeout", cause }, eventId);
        return progress;
      }
      // Keyed by its deadline: a heartbeat moves the deadline, and the next decision sets a new timer.
      effects.push({
        kind: "timer",
        timerKey: `${t.key}/${t.state}@${t.enteredEventId}#beat${attempt}@${beat}`,
        fireAt: beat,
      });
    }
    return blocked(...effects);
  }
  if (!t.outcome.ok) return d.handleError(t, Decider.failureOf(t.outcome), scheduleNow);
  const out = await stateOutput(def, t.input, t.outcome.value, d.scopes(t));
  return d.exit(t, out.output, def.Next as string | undefined, out.assigned);
}
