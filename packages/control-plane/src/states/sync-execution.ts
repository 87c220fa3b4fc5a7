// StartSyncExecution, for EXPRESS machines: the execution is started and driven like
// any other (by whichever control plane claims it; the driver ends it TIMED_OUT past
// Express's limit), and the request waits for its end, reading its row ever less
// often. Should no driver end it (all busy, a lease held by a dead process) it ends it
// itself a little past the limit. The SDKs send it to a `sync-` prefixed host: see WORKFLOWS.md.
import { setTimeout as sleep } from "node:timers/promises";
import type { ExecutionRow, ExecutionStore } from "../store/execution-store.js";
import type { MachineStore } from "../store/sfn-machine-store.js";
import { closeExecution } from "./close-execution.js";
import { described } from "./execution-shapes.js";
import { EXPRESS_MS, expressTimeoutCause } from "./express.js";
import type { ExecutionService } from "./sfn-executions.js";
import { type Body, checkName, parseArn, sfnErrors, str } from "./sfn-input.js";

/** How long past the limit the request waits for a driver before ending the execution itself. */
const GRACE_MS = 30_000;

export function createSyncExecution(
  store: ExecutionStore,
  machines: MachineStore,
  executions: Pick<ExecutionService, "start" | "ended">,
  { now = Date.now, limitMs = EXPRESS_MS }: { now?: () => number; limitMs?: number } = {},
) {
  async function ended(arn: string, deadline: number): Promise<ExecutionRow> {
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      const row = (await store.get(arn)) as ExecutionRow;
      if (row.status !== "RUNNING") return row;
      if (now() >= deadline) {
        const details = { error: "States.Timeout", cause: expressTimeoutCause(limitMs) };
        const end = await closeExecution(store, arn, "ExecutionTimedOut", details, now);
        if (end.closed) await executions.ended(end.row);
        return end.row;
      }
      await sleep(pause);
    }
  }

  return async function startSyncExecution(account: string, b: Body) {
    const arn = str(b, "stateMachineArn", { required: true, max: 256 });
    parseArn(arn, "stateMachine");
    const m = await machines.get(account, arn);
    if (!m) throw sfnErrors.machineNotFound(arn);
    if (m.type !== "EXPRESS") throw sfnErrors.typeNotSupported();
    const name = checkName(str(b, "name") ?? crypto.randomUUID(), "execution");
    const { row } = await executions.start(account, arn, name, str(b, "input") ?? "{}");
    const end = await ended(row.arn, row.startDate.getTime() + limitMs + GRACE_MS);
    const { executionArn, stateMachineArn, ...rest } = described(end);
    const billedMs = Math.max(
      100,
      Math.ceil(((end.stopDate?.getTime() ?? now()) - end.startDate.getTime()) / 100) * 100,
    );
    return {
      executionArn,
      stateMachineArn,
      ...rest,
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billedMs },
    };
  };
}
