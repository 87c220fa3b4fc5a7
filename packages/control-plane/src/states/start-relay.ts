// Starts the executions EventBridge rules and Scheduler schedules asked for (their
// requests written with the event or tick, store/sfn-start-requests.ts): every half
// second, and at once when told of new ones. Each is started under its request's id
// as the execution's name, so a request claimed twice (a control plane killed between
// starting and removing it) starts one execution. A request refused for good (its
// machine deleted since, its input not JSON) is dropped and logged; any other failure
// is tried again later.
import { type Logger, StratusError } from "@stratus/shared";
import { startRepeating } from "../repeating.js";
import type { StartRequest, StartRequests } from "../store/sfn-start-requests.js";

const BATCH = 50;

export function startStartRelay(
  requests: StartRequests,
  start: (r: StartRequest) => Promise<unknown>,
  log: Pick<Logger, "warn">,
  opts: { intervalMs?: number } = {},
) {
  let active: Promise<void> | undefined;
  async function drainAll(): Promise<void> {
    for (;;) {
      const claimed = await requests.drain(BATCH, async (r) => {
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
      });
      if (claimed < BATCH || loop.stopped()) return;
    }
  }
  /** One drain at a time; a call while one runs waits for it. */
  const round = () => {
    active ??= drainAll().finally(() => {
      active = undefined;
    });
    return active;
  };
  const loop = startRepeating(round, {
    intervalMs: opts.intervalMs ?? 500,
    onError: (err) => log.warn("could not start the executions of state machine targets", { err }),
  });
  return {
    /** New requests were written: drain now rather than at the next tick. */
    nudge(): void {
      if (!loop.stopped()) round().catch((err: Error) => log.warn("could not start executions", { err }));
    },
    stop: loop.stop,
  };
}
