// The fold of an execution history into threads. A thread is the root execution, one
// Parallel branch or one Map iteration; each event belongs to the thread of the event
// its previousEventId names, except the events that start a thread (ExecutionStarted,
// MapIterationStarted, a branch's first StateEntered after ParallelStateStarted).
// Folding the same events always gives the same view; the engine decides from it.
import type { HistoryEvent, Json, JsonObject, StateDef, StatesBlock } from "./types.js";

export type Outcome = { ok: true; value: Json } | { ok: false; error: string; cause: string };

export interface Thread {
  key: string;
  parent?: string;
  kind: "root" | "branch" | "iteration";
  index: number;
  block: StatesBlock;
  lastEventId: number;
  /** The state it is in, its raw input and when it was entered (ms). */
  state?: string;
  input: Json;
  enteredAt: number;
  enteredEventId: number;
  /** A task's pending invocation, or a Map/Parallel's children run. */
  scheduled?: { eventId: number; at: number; attempt: number };
  started?: { eventId: number; at: number };
  children: string[];
  outcome?: Outcome;
  outcomeAt: number;
  /** The errors the current state already retried, oldest first. */
  errors: string[];
  /** Set by a StateExited not followed by a StateEntered: the thread's end output. */
  exited?: Json;
  vars: JsonObject;
  closed?: "succeeded" | "failed" | "aborted" | "timedOut";
}

export interface View {
  threads: Map<string, Thread>;
  eventThread: Map<number, string>;
  events: HistoryEvent[];
  input: Json;
  startedAt: number;
}

const parse = (s: unknown): Json => (typeof s === "string" ? (JSON.parse(s) as Json) : null);
const detailsOf = (e: HistoryEvent) =>
  (e[`${e.type[0]?.toLowerCase()}${e.type.slice(1)}EventDetails`] ??
    e[Object.keys(e).find((k) => k.endsWith("EventDetails")) ?? ""] ??
    {}) as Record<string, unknown>;
export const stateOf = (t: Thread): StateDef | undefined => (t.state ? t.block.States[t.state] : undefined);

export function emptyView(): View {
  return { threads: new Map(), eventThread: new Map(), events: [], input: null, startedAt: 0 };
}

function newThread(key: string, kind: Thread["kind"], block: StatesBlock, index: number, parent?: Thread): Thread {
  return {
    key,
    parent: parent?.key,
    kind,
    index,
    block,
    lastEventId: 0,
    input: null,
    enteredAt: 0,
    enteredEventId: 0,
    children: [],
    outcomeAt: 0,
    errors: [],
    vars: parent ? { ...parent.vars } : {},
  };
}

/** Folds one event into the view (events must come in id order). */
export function foldEvent(view: View, root: StatesBlock, e: HistoryEvent): void {
  view.events.push(e);
  const at = Date.parse(e.timestamp);
  const d = detailsOf(e);
  // Execution-level events (ExecutionAborted from StopExecution...) belong to the execution whatever they follow.
  const own = e.type.startsWith("Execution") ? "" : (view.eventThread.get(e.previousEventId) ?? "");
  let t = view.threads.get(own);
  if (e.type === "ExecutionStarted") {
    t = newThread("", "root", root, 0);
    view.threads.set("", t);
    view.input = parse(d.input);
    view.startedAt = at;
  } else if (e.type === "MapIterationStarted" && t) {
    const def = stateOf(t) as StateDef;
    const block = (def.ItemProcessor ?? def.Iterator) as StatesBlock;
    const child = newThread(
      `${t.key}/${t.state}@${t.started?.eventId}[${d.index}]`,
      "iteration",
      block,
      Number(d.index),
      t,
    );
    t.children.push(child.key);
    view.threads.set(child.key, child);
    t = child;
  } else if (e.type.endsWith("StateEntered") && t?.started && e.previousEventId === t.started.eventId) {
    const branches = (stateOf(t) as StateDef).Branches as StatesBlock[];
    const i = branches.findIndex((b) => b.StartAt === d.name);
    const child = newThread(
      `${t.key}/${t.state}@${t.started.eventId}#${i}`,
      "branch",
      branches[i] as StatesBlock,
      i,
      t,
    );
    t.children.push(child.key);
    view.threads.set(child.key, child);
    t = child;
  }
  if (!t) throw new Error(`History event ${e.id} (${e.type}) follows no event of this execution`);
  view.eventThread.set(e.id, t.key);
  if (isOutcome(e.type) && !answersPending(t, e)) return;
  t.lastEventId = e.id;
  applyToThread(view, t, e, d, at);
}

const isOutcome = (type: string) =>
  /^(LambdaFunction|Task)(Succeeded|Failed|TimedOut|ScheduleFailed|StartFailed|SubmitFailed)$/.test(type);

/**
 * Whether an outcome answers the task its thread waits for. A late one (after a timeout,
 * for an earlier attempt or state) or a second one (two callbacks for one token) is kept
 * in the history but changes nothing.
 */
const answersPending = (t: Thread, e: HistoryEvent) =>
  t.closed === undefined && t.scheduled?.eventId === e.previousEventId && t.outcome === undefined;

function applyToThread(view: View, t: Thread, e: HistoryEvent, d: Record<string, unknown>, at: number): void {
  const type = e.type;
  if (type.endsWith("StateEntered")) {
    Object.assign(t, { state: d.name as string, input: parse(d.input), enteredAt: at, enteredEventId: e.id });
    Object.assign(t, { scheduled: undefined, started: undefined, outcome: undefined, exited: undefined });
    t.children = [];
    t.errors = [];
  } else if (type.endsWith("StateExited")) {
    t.exited = parse(d.output);
    const assigned = (d.assignedVariables ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(assigned)) t.vars[k] = JSON.parse(v) as Json;
  } else if (type === "LambdaFunctionScheduled" || type === "TaskScheduled") {
    if (t.outcome && !t.outcome.ok) t.errors.push(t.outcome.error);
    t.scheduled = { eventId: e.id, at, attempt: (t.scheduled?.attempt ?? -1) + 1 };
    t.outcome = undefined;
  } else if (type === "LambdaFunctionSucceeded" || type === "TaskSucceeded") {
    setOutcome(t, { ok: true, value: parse(d.output) }, at);
  } else if (/^(LambdaFunction|Task)(Failed|TimedOut|ScheduleFailed|StartFailed|SubmitFailed)$/.test(type)) {
    setOutcome(t, { ok: false, error: String(d.error ?? "States.TaskFailed"), cause: String(d.cause ?? "") }, at);
  } else if (type === "MapStateStarted" || type === "ParallelStateStarted") {
    if (t.outcome && !t.outcome.ok) t.errors.push(t.outcome.error);
    t.started = { eventId: e.id, at };
    t.children = [];
    t.outcome = undefined;
  } else if (type === "MapStateFailed" || type === "ParallelStateFailed") {
    // AWS gives these events no details; Stratus records the error it failed with there.
    setOutcome(t, { ok: false, error: String(d.error ?? "States.Runtime"), cause: String(d.cause ?? "") }, at);
    abortBelow(view, t);
  } else if (type === "MapIterationSucceeded") t.closed = "succeeded";
  else if (type === "MapIterationFailed") t.closed = "failed";
  else if (type === "MapIterationAborted") t.closed = "aborted";
  else if (type === "ExecutionSucceeded") t.closed = "succeeded";
  else if (type === "ExecutionFailed") t.closed = "failed";
  else if (type === "ExecutionTimedOut") t.closed = "timedOut";
  else if (type === "ExecutionAborted") t.closed = "aborted";
  if (t.closed && t.closed !== "succeeded") abortBelow(view, t);
}

function setOutcome(t: Thread, outcome: Outcome, at: number) {
  t.outcome = outcome;
  t.outcomeAt = at;
}

/** Every still-open descendant of `t` stops: its pending work is never decided again. */
function abortBelow(view: View, t: Thread): void {
  for (const key of t.children) {
    const child = view.threads.get(key);
    if (!child) continue;
    if (!child.closed) child.closed = "aborted";
    abortBelow(view, child);
  }
}
