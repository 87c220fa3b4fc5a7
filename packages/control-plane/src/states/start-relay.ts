// Starts the executions EventBridge rules and Scheduler schedules asked for (their
// requests written with the event or tick, store/sfn-start-requests.ts): every half
// second, and at once when told of new ones. Each is started under its request's id
// as the execution's name, so a request claimed twice (a control plane killed between
// starting and removing it) starts one execution. A request refused for good (its
// machine deleted since, its input not JSON) is dropped and logged; any other failure
// is tried again later.
import { type Logger, StratusError } from "@stratus/shared";
import { startDrainRelay } from "../drain-relay.js";
import type { StartRequest, StartRequests } from "../store/sfn-start-requests.js";

const BATCH = 50;

export function startStartRelay(
  requests: StartRequests,
  start: (r: StartRequest) => Promise<unknown>,
  log: Pick<Logger, "warn">,
  opts: { intervalMs?: number } = {},
) {
  return startDrainRelay(
    () =>
      requests.drain(BATCH, async (r) => {
        try {
          await start(r);
          return "done";
        } catch (err) {
          if (!(err instanceof StratusError) || err.kind !== "client") return "retry";
          log.warn("a state machine target's execution could not be started; dropped", {
            machineArn: r.machineArn,
            name: r.id,
            error: err.code,
            message: err.message,
          });
          return "done";
        }
      }),
    { batch: BATCH, intervalMs: opts.intervalMs ?? 500, what: "start the executions of state machine targets", log },
  );
}
