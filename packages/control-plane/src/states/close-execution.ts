// Ending an execution from outside the engine (StopExecution, an EXPRESS execution past
// its five minutes): the closing event is appended by compare-and-set like any other,
// tried again on the new history when a driver moved it first, and an execution that
// ended meanwhile is left as it ended.
import type { ExecutionRow, ExecutionStore } from "../store/execution-store.js";

/** The execution after the attempt, and whether this call is what ended it. */
export async function closeExecution(
  store: ExecutionStore,
  arn: string,
  type: "ExecutionAborted" | "ExecutionTimedOut",
  details: { error?: string; cause?: string },
  now: () => number,
): Promise<{ row: ExecutionRow; closed: boolean }> {
  for (;;) {
    const row = await store.get(arn);
    if (row?.status !== "RUNNING") return { row: row as ExecutionRow, closed: false };
    const history = await store.read(arn);
    const key = type === "ExecutionAborted" ? "executionAbortedEventDetails" : "executionTimedOutEventDetails";
    const event = {
      id: history.length + 1,
      previousEventId: history.length,
      timestamp: new Date(now()).toISOString(),
      type,
      [key]: details,
    };
    if (await store.append(arn, history.length, [event], false))
      return { row: (await store.get(arn)) as ExecutionRow, closed: true };
  }
}
