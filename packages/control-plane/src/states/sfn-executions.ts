// Step Functions' execution operations: start (name idempotent per machine: the same
// name and input answer the running execution, anything else ExecutionAlreadyExists),
// describe, list, history, stop, and the callbacks of .waitForTaskToken tasks. Also
// what the driver needs of executions: the definition an execution runs, nested
// executions started by a task and their end brought back to the parent. An EXPRESS
// machine's executions take an `express:` ARN with an id (a name may be reused and
// starts are not idempotent), and are not readable through the API, as on AWS: their
// history goes to CloudWatch Logs as it is appended (execution-logs.ts).
import { derivedUuid } from "../schedules/firing.js";
import type { ExecutionRow, ExecutionStatus, ExecutionStore } from "../store/execution-store.js";
import type { MachineStore } from "../store/sfn-machine-store.js";
import { closeExecution } from "./close-execution.js";
import { described, shownEvent } from "./execution-shapes.js";
import { executionName, expressArn, expressRowName, isExpressArn } from "./express.js";
import { executionStartedEvent, type TaskOutcome } from "./outcome-events.js";
import { appendOutcome, type ExecutionContext, isPending, type LoadContext, type PendingEffect } from "./outcomes.js";
import { type Body, bool, checkName, epoch, executionArn, int, parseArn, sfnErrors, str } from "./sfn-input.js";
import { TASK_TOKEN } from "./state-task.js";
import type { Definition, Json, StartExecutionEffect } from "./types.js";

const MAX_PAYLOAD = 256 * 1024;
const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

function json(text: string, code: string, what: string): Json {
  if (Buffer.byteLength(text) > MAX_PAYLOAD) throw sfnErrors.validation(`The ${what} is over ${MAX_PAYLOAD} bytes`);
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw sfnErrors.client(code, `Invalid ${what}: ${(e as Error).message}`);
  }
}

/** The output a nested execution's task gets: at its start, or at its end for `.sync`. */
function childOutcome(child: ExecutionRow, effect: StartExecutionEffect): TaskOutcome {
  const started = { ExecutionArn: child.arn, StartDate: child.startDate.toISOString() };
  if (!effect.waitForCompletion) return { ok: true, value: started };
  if (child.status === "SUCCEEDED") {
    const output = child.output ?? "null";
    return {
      ok: true,
      value: { ...started, Output: effect.outputAsJson ? (JSON.parse(output) as Json) : output, Status: "SUCCEEDED" },
    };
  }
  const cause = JSON.stringify({ ...started, Status: child.status, Error: child.error, Cause: child.cause });
  return { ok: false, error: "States.TaskFailed", cause };
}

export function createExecutionService(
  store: ExecutionStore,
  machines: MachineStore,
  region: string,
  now: () => number = Date.now,
  /** Told when an execution became due here (started, a callback answered), to drive it at once. */
  due: () => void = () => undefined,
) {
  const contexts = new Map<string, ExecutionContext>();
  const load: LoadContext = async (row) => {
    const key = `${row.machineArn}#${row.revision}`;
    const cached = contexts.get(key);
    if (cached) return cached;
    const rev = await machines.revision(row.machineArn, row.revision);
    if (!rev) throw new Error(`Revision ${row.revision} of ${row.machineArn} is missing`);
    const info = {
      executionArn: row.arn,
      name: executionName(row),
      stateMachineArn: row.machineArn,
      stateMachineName: parseArn(row.machineArn, "stateMachine").machine,
      roleArn: rev.roleArn,
    };
    const ctx = { definition: JSON.parse(rev.definition) as Definition, info };
    // Who the execution is differs per execution; the parsed definition is shared.
    if (contexts.size > 1000) contexts.clear();
    contexts.set(key, { ...ctx, info: { ...info, executionArn: "", name: "" } });
    return ctx;
  };
  const loadFor: LoadContext = async (row) => {
    const ctx = await load(row);
    return { definition: ctx.definition, info: { ...ctx.info, executionArn: row.arn, name: executionName(row) } };
  };

  async function execution(account: string, b: Body): Promise<ExecutionRow> {
    const arn = str(b, "executionArn", { required: true, max: 256 });
    if (isExpressArn(arn))
      throw sfnErrors.invalidArn("Invalid Arn: 'Resource type not valid in this context: express'");
    parseArn(arn, "execution");
    const row = await store.get(arn);
    if (!row || row.accountId !== account) throw sfnErrors.executionNotFound(arn);
    return row;
  }

  async function start(
    account: string,
    machineArnIn: string,
    name: string,
    inputText: string,
    parent?: { arn: string; key: string },
    /** An Express execution's id, when its start must be idempotent (a task's); a new one otherwise. */
    expressId?: string,
  ) {
    const m = await machines.get(account, machineArnIn);
    if (!m) throw sfnErrors.machineNotFound(machineArnIn);
    const input = json(inputText, "InvalidExecutionInput", "execution input");
    const express = m.type === "EXPRESS";
    const arn = express
      ? expressArn(region, account, m.name, name, expressId)
      : executionArn(region, account, m.name, name);
    const started = executionStartedEvent(input, m.roleArn, now());
    const { created, row } = await store.create({
      arn,
      accountId: account,
      machineArn: m.arn,
      name: express ? expressRowName(arn) : name,
      revision: m.revision,
      input: inputText,
      started,
      ...(parent ? { parentArn: parent.arn, parentKey: parent.key } : {}),
    });
    if (created) due();
    return { created, row };
  }

  /** A nested execution for a task (idempotent by the task's key); an outcome when one is known. */
  async function startChild(parent: ExecutionRow, effect: StartExecutionEffect): Promise<TaskOutcome | undefined> {
    const fail = (error: string, cause: string): TaskOutcome => ({ ok: false, error, cause });
    let target: ReturnType<typeof parseArn>;
    try {
      target = parseArn(effect.stateMachineArn, "stateMachine");
    } catch {
      return fail("StepFunctions.InvalidArnException", `Invalid Arn: '${effect.stateMachineArn}'`);
    }
    if (target.account !== parent.accountId || !(await machines.get(parent.accountId, effect.stateMachineArn)))
      return fail(
        "StepFunctions.StateMachineDoesNotExistException",
        `State Machine Does Not Exist: '${effect.stateMachineArn}'`,
      );
    const name = effect.name ?? derivedUuid(`${parent.arn}/${effect.idempotencyKey}`);
    const link = effect.waitForCompletion ? { arn: parent.arn, key: effect.idempotencyKey } : undefined;
    const id = derivedUuid(`${parent.arn}/${effect.idempotencyKey}/express`);
    const { row } = await start(parent.accountId, effect.stateMachineArn, name, JSON.stringify(effect.input), link, id);
    if (row.parentArn !== link?.arn || row.parentKey !== link?.key)
      return fail("StepFunctions.ExecutionAlreadyExistsException", `Execution Already Exists: '${row.arn}'`);
    // .waitForTaskToken: the child was started; the task's outcome is its token's callback.
    if (effect.taskToken) {
      const task = { executionArn: parent.arn, accountId: parent.accountId, effectKey: effect.idempotencyKey };
      await store.acceptTask({ ...task, token: effect.taskToken });
      return undefined;
    }
    if (effect.waitForCompletion && row.status === "RUNNING") return undefined;
    return childOutcome(row, effect);
  }

  /**
   * What follows an execution's end, told once by whoever ended it: the end brought to
   * the .sync task that started it. (Its log lines were written with its events.)
   */
  async function ended(row: ExecutionRow): Promise<void> {
    if (row.parentArn && row.parentKey)
      await appendOutcome(store, loadFor, row.parentArn, row.parentKey, (effect: PendingEffect) =>
        childOutcome(row, effect as StartExecutionEffect),
      );
  }

  async function callback(account: string, b: Body, outcome?: TaskOutcome) {
    const token = str(b, "taskToken", { required: true });
    if (token.length > 2048) throw sfnErrors.invalidToken("Invalid Token: it is over 2048 characters");
    // Not one this service hands out (state-task.ts taskToken), as Step Functions refuses a token it cannot read.
    if (!TASK_TOKEN.test(token)) throw sfnErrors.invalidToken();
    const link = await store.taskOfToken(token);
    if (!link || link.accountId !== account) throw sfnErrors.taskNotFound();
    const answered = outcome
      ? await appendOutcome(store, loadFor, link.executionArn, link.effectKey, outcome, now)
      : await isPending(store, loadFor, link.executionArn, link.effectKey, now);
    if (!answered) throw sfnErrors.taskTimedOut();
    if (!outcome) await store.heartbeat(token, new Date(now()));
    if (outcome) due();
    return {};
  }

  return {
    load: loadFor,
    start,
    described,
    startChild,
    ended,
    async startExecution(account: string, b: Body) {
      const arn = str(b, "stateMachineArn", { required: true, max: 256 });
      parseArn(arn, "stateMachine");
      const name = checkName(str(b, "name") ?? crypto.randomUUID(), "execution");
      const input = str(b, "input") ?? "{}";
      const m = await machines.get(account, arn);
      if (!m) throw sfnErrors.machineNotFound(arn);
      // Express: every start is a new execution, whatever its name (at-least-once, not idempotent).
      const { created, row } = await start(account, arn, name, input);
      // The same name and input while it runs answer the same execution; anything else is refused.
      if (!created && (row.status !== "RUNNING" || row.input !== input || row.machineArn !== m.arn))
        throw sfnErrors.executionExists(row.arn);
      return { executionArn: row.arn, startDate: epoch(row.startDate) };
    },
    async describeExecution(account: string, b: Body) {
      return described(await execution(account, b));
    },
    async listExecutions(account: string, b: Body) {
      const arn = str(b, "stateMachineArn", { required: true, max: 256 });
      parseArn(arn, "stateMachine");
      const m = await machines.get(account, arn);
      if (!m) throw sfnErrors.machineNotFound(arn);
      if (m.type === "EXPRESS") throw sfnErrors.typeNotSupported();
      const status = str(b, "statusFilter");
      if (status !== undefined && !STATUSES.includes(status))
        throw sfnErrors.validation(`'statusFilter' must be one of ${STATUSES.join(", ")}`);
      const limit = int(b, "maxResults", 0, 1000) || 100;
      const page = await store.list(
        arn,
        status as ExecutionStatus | undefined,
        limit,
        str(b, "nextToken", { max: 3096 }),
      );
      return {
        executions: page.executions.map((e) => ({
          executionArn: e.arn,
          stateMachineArn: e.machineArn,
          name: executionName(e),
          status: e.status,
          startDate: epoch(e.startDate),
          ...(e.stopDate ? { stopDate: epoch(e.stopDate) } : {}),
        })),
        ...(page.next ? { nextToken: page.next } : {}),
      };
    },
    async getExecutionHistory(account: string, b: Body) {
      const e = await execution(account, b);
      const limit = int(b, "maxResults", 0, 1000) || 100;
      const token = str(b, "nextToken", { max: 3096 });
      const from = token === undefined ? 0 : Number(token);
      if (!Number.isInteger(from) || from < 0) throw sfnErrors.validation("Invalid nextToken");
      const history = await store.read(e.arn);
      if (bool(b, "reverseOrder")) history.reverse();
      const withData = bool(b, "includeExecutionData") ?? true;
      const page = history.slice(from, from + limit).map((ev) => shownEvent(ev, withData));
      return { events: page, ...(from + limit < history.length ? { nextToken: String(from + limit) } : {}) };
    },
    async stopExecution(account: string, b: Body) {
      const e = await execution(account, b);
      const error = str(b, "error", { max: 256 });
      const cause = str(b, "cause", { max: 32768 });
      const details = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
      const { row, closed } = await closeExecution(store, e.arn, "ExecutionAborted", details, now);
      if (closed) await ended(row);
      return { stopDate: epoch(row.stopDate ?? new Date(now())) };
    },
    sendTaskSuccess: (account: string, b: Body) =>
      callback(account, b, { ok: true, value: json(str(b, "output", { required: true }), "InvalidOutput", "output") }),
    sendTaskFailure: (account: string, b: Body) =>
      callback(account, b, {
        ok: false,
        error: str(b, "error", { max: 256 }) ?? "",
        cause: str(b, "cause", { max: 32768 }) ?? "",
      }),
    sendTaskHeartbeat: (account: string, b: Body) => callback(account, b),
  };
}

export type ExecutionService = ReturnType<typeof createExecutionService>;
