// StartSyncExecution, for EXPRESS machines: the execution is started and driven like
// any other (by whichever control plane claims it), and the request waits for its end,
// reading its row with a deadline; one still running after Express's five minutes is
// ended TIMED_OUT. The SDKs send it to a `sync-` prefixed host: see WORKFLOWS.md.
import { setTimeout as sleep } from "node:timers/promises";
import type { MachineStore } from "../store/sfn-machine-store.js";
import { closeExecution } from "./close-execution.js";
import { described } from "./execution-shapes.js";
import type { ExecutionRow, ExecutionStore } from "./execution-store.js";
import type { ExecutionService } from "./sfn-executions.js";
import { type Body, checkName, parseArn, sfnErrors, str } from "./sfn-input.js";

/** An Express execution's longest run. */
const EXPRESS_MS = 5 * 60_000;

export function createSyncExecution(
  store: ExecutionStore,
  machines: MachineStore,
  executions: Pick<ExecutionService, "start">,
  { now = Date.now, limitMs = EXPRESS_MS }: { now?: () => number; limitMs?: number } = {},
) {
  /** The row once it has ended, reading it ever less often while it runs. */
  async function ended(arn: string, deadline: number): Promise<ExecutionRow> {
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      const row = (await store.get(arn)) as ExecutionRow;
      if (row.status !== "RUNNING") return row;
      if (now() >= deadline) {
        const cause = `The Express execution ran longer than ${limitMs / 1000} seconds`;
        return closeExecution(store, arn, "ExecutionTimedOut", { error: "States.Timeout", cause }, now);
      }
      await sleep(pause);
    }
  }

  return async function startSyncExecution(account: string, b: Body) {
    const arn = str(b, "stateMachineArn", { required: true, max: 256 });
    parseArn(arn, "stateMachine");
    const m = await machines.get(account, arn);
    if (!m) throw sfnErrors.machineNotFound(arn);
    if (m.type !== "EXPRESS")
      throw sfnErrors.client(
        "StateMachineTypeNotSupported",
        "This operation is supported by EXPRESS state machines only",
      );
    const name = checkName(str(b, "name") ?? crypto.randomUUID(), "execution");
    const { created, row } = await executions.start(account, arn, name, str(b, "input") ?? "{}");
    if (!created) throw sfnErrors.executionExists(row.arn);
    const end = await ended(row.arn, now() + limitMs);
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
