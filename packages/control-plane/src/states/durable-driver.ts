// The durable driver: the in-memory driver's loop over Postgres. Each round it claims
// the executions due by now (a lease, SKIP LOCKED: no two control planes decide one
// execution at once, and a dead one's leases run out for the others), decides each
// from its history, appends the decision by compare-and-set, performs the pending
// effects (idempotent by key) and lets go of it, due again at its earliest timer or
// at the sweep that re-sends effects a crash may have lost. Outcomes arrive by
// appendOutcome and make the execution due at once; nothing here sleeps for a Wait.
// An Express execution still running at its limit is ended TIMED_OUT here.
import { randomUUID } from "node:crypto";
import type { Logger } from "@stratus/shared";
import type { ExecutionRow, ExecutionStore, IssuedToken } from "../store/execution-store.js";
import { closeExecution } from "./close-execution.js";
import { decide } from "./engine.js";
import { EXPRESS_MS, expressTimeoutCause, isExpressArn } from "./express.js";
import { appendOutcome, type LoadContext } from "./outcomes.js";
import type { TaskPort } from "./task-effects.js";
import type { Effect } from "./types.js";

export interface DriverOptions {
  /** How often the loop looks for due executions. */
  pollMs: number;
  /** How long a claim holds an execution; a control plane that dies lets go after it. */
  leaseMs: number;
  /** How long an execution waiting only on outcomes sleeps before its effects are sent again. */
  sweepMs: number;
  /** Executions claimed per round. */
  batch: number;
  /** An Express execution's longest run (default five minutes). */
  expressMaxMs?: number;
  now?: () => number;
}

export interface DriverDeps {
  store: ExecutionStore;
  load: LoadContext;
  tasks: TaskPort;
  /** Told when an execution ends (a .sync parent waits on it). */
  ended?(row: ExecutionRow): Promise<void>;
  log: Pick<Logger, "error">;
}

export interface Driver {
  /** One round: claims due executions and drives each a step. Answers how many it claimed. */
  tick(): Promise<number>;
  /** Drives one claimed execution a step. */
  step(row: ExecutionRow): Promise<void>;
  /** Starts the loop. */
  start(): void;
  /** Something became due here (an outcome, a start): look at once rather than at the next poll. */
  nudge(): void;
  stop(): Promise<void>;
}

/** The callback tokens of tasks scheduled by events after the first `known`. */
const issued = (effects: Effect[], known: number): IssuedToken[] =>
  effects.flatMap((e) =>
    e.kind !== "timer" && "taskToken" in e && e.taskToken && e.scheduledEventId > known
      ? [{ token: e.taskToken, effectKey: e.idempotencyKey }]
      : [],
  );

export function createDriver(deps: DriverDeps, opts: DriverOptions): Driver {
  const owner = randomUUID();
  const now = opts.now ?? Date.now;
  const { store, load, tasks } = deps;
  const expressMs = opts.expressMaxMs ?? EXPRESS_MS;

  /** Ends an Express execution past its limit; whether it was (or already had ended). */
  async function expired(row: ExecutionRow, at: number): Promise<boolean> {
    if (!isExpressArn(row.arn) || at < row.startDate.getTime() + expressMs) return false;
    const details = { error: "States.Timeout", cause: expressTimeoutCause(expressMs) };
    const end = await closeExecution(store, row.arn, "ExecutionTimedOut", details, now);
    if (end.closed && deps.ended) await deps.ended(end.row);
    return true;
  }

  async function step(row: ExecutionRow): Promise<void> {
    // The length it was claimed at, until a decision is read: anything arriving meanwhile makes it due at once.
    let seen = row.historyLength;
    let wake: number | undefined;
    try {
      if (await expired(row, now())) return;
      const { definition, info } = await load(row);
      const history = await store.read(row.arn);
      const at = now();
      const decision = await decide(definition, history, at, info, await store.heartbeats(row.arn));
      seen = history.length;
      if (decision.append) {
        const { expectedLength, events } = decision.append;
        if (!(await store.append(row.arn, expectedLength, events, false, issued(decision.effects, expectedLength)))) {
          seen = -1; // someone moved it: decide again at once
          return;
        }
        seen += decision.append.events.length;
      }
      if (decision.status !== "RUNNING") {
        const ended = await store.get(row.arn);
        if (ended && deps.ended) await deps.ended(ended);
        return;
      }
      wake = at + opts.sweepMs;
      if (isExpressArn(row.arn)) wake = Math.min(wake, row.startDate.getTime() + expressMs);
      for (const effect of decision.effects) {
        if (effect.kind === "timer") {
          wake = Math.min(wake, effect.fireAt);
          continue;
        }
        const outcome = await tasks.perform(row, effect);
        if (outcome) await appendOutcome(store, load, row.arn, effect.idempotencyKey, outcome, now);
      }
    } catch (err) {
      // A store or engine failure: the execution is tried again at the next sweep.
      deps.log.error("workflow step failed", { executionArn: row.arn, err });
      wake = now() + opts.sweepMs;
    } finally {
      await store.release(row.arn, owner, seen, wake === undefined ? undefined : new Date(wake));
    }
  }

  async function tick(): Promise<number> {
    const rows = await store.claim(owner, opts.batch, opts.leaseMs);
    await Promise.all(rows.map(step));
    return rows.length;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let again = false;
  const loop = () => {
    busy = true;
    again = false;
    running = (async () => {
      let claimed = 0;
      try {
        claimed = await tick();
      } catch (err) {
        deps.log.error("workflow driver round failed", { err });
      }
      busy = false;
      // A full batch means more are due, and a nudge during the round may have made more due: go again at once.
      if (!stopped) timer = setTimeout(loop, claimed >= opts.batch || again ? 0 : opts.pollMs);
    })();
  };
  return {
    tick,
    step,
    nudge() {
      if (stopped) return;
      if (busy) {
        again = true;
        return;
      }
      clearTimeout(timer);
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    start: loop,
  };
}
