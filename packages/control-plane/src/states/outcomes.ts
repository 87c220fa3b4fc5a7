// Bringing an effect's outcome back to its execution: the effect must still be pending
// in a decision taken on the current history (a stale or repeated outcome, a task that
// timed out, an execution that ended: nothing is appended), and its outcome event is
// appended by compare-and-set, decided again on the new history when another writer
// moved it first. The execution is then due at once.
import type { ExecutionRow, ExecutionStore } from "../store/execution-store.js";
import { decide } from "./engine.js";
import { outcomeEvent, type TaskOutcome } from "./outcome-events.js";
import type { Definition, Effect, ExecutionInfo } from "./types.js";

export type PendingEffect = Exclude<Effect, { kind: "timer" }>;

/** What an execution runs: the definition of its revision, and who it is. */
export interface ExecutionContext {
  definition: Definition;
  info: ExecutionInfo;
}

export type LoadContext = (row: ExecutionRow) => Promise<ExecutionContext>;

const MAX_TRIES = 20;

/**
 * Appends `outcome` for the effect keyed `effectKey`; `outcome` may be built from the
 * pending effect. Answers the pending effect it answered, or undefined when none was.
 */
export async function appendOutcome(
  store: ExecutionStore,
  load: LoadContext,
  executionArn: string,
  effectKey: string,
  outcome: TaskOutcome | ((effect: PendingEffect) => TaskOutcome),
  now: () => number = Date.now,
): Promise<PendingEffect | undefined> {
  for (let i = 0; i < MAX_TRIES; i++) {
    const row = await store.get(executionArn);
    if (row?.status !== "RUNNING") return undefined;
    const { definition, info } = await load(row);
    const history = await store.read(executionArn);
    const at = now();
    const decision = await decide(definition, history, at, info, await store.heartbeats(executionArn));
    const effect = decision.effects.find(
      (e): e is PendingEffect =>
        e.kind !== "timer" && e.idempotencyKey === effectKey && e.scheduledEventId <= history.length,
    );
    if (!effect) return undefined;
    const event = outcomeEvent(history, effect, typeof outcome === "function" ? outcome(effect) : outcome, at);
    if (await store.append(executionArn, history.length, [event], true)) return effect;
  }
  throw new Error(`The history of ${executionArn} kept moving: the outcome was not appended`);
}

/** Whether the effect keyed `effectKey` is still pending in the execution (a heartbeat's check). */
export async function isPending(
  store: ExecutionStore,
  load: LoadContext,
  executionArn: string,
  effectKey: string,
  now: () => number = Date.now,
): Promise<boolean> {
  const row = await store.get(executionArn);
  if (row?.status !== "RUNNING") return false;
  const { definition, info } = await load(row);
  const history = await store.read(executionArn);
  const decision = await decide(definition, history, now(), info, await store.heartbeats(executionArn));
  return decision.effects.some(
    (e) => e.kind !== "timer" && e.idempotencyKey === effectKey && e.scheduledEventId <= history.length,
  );
}
