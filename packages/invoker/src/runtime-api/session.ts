// One container's Runtime API session: the state machine between the invoker (which
// hands it events) and the runtime inside the container (which long-polls /next and
// posts results). One invocation at a time, as in Lambda. Every transition not listed
// in `allowed` is refused. What the runtime does that its container's life hangs on
// (it answered, it failed) is signalled to the session's owner.
//
//   init ──next──► idle ──invoke──► busy ──response|error──► awaiting-next ──next──► idle
//   init ──invoke──► queued ──next──► busy                     (cold start: event waits)
//   any ──init-error|exit|kill──► dead
import type { InvokeOutcome } from "@stratus/shared";
import { runtimeApiErrors } from "./errors.js";

export type SessionState = "init" | "idle" | "queued" | "busy" | "awaiting-next" | "dead";
export type SessionEvent = "next" | "invoke" | "result" | "die";

const allowed: Record<SessionState, Partial<Record<SessionEvent, SessionState>>> = {
  init: { next: "idle", invoke: "queued", die: "dead" },
  idle: { invoke: "busy", die: "dead" },
  queued: { next: "busy", die: "dead" },
  busy: { result: "awaiting-next", die: "dead" },
  "awaiting-next": { next: "idle", invoke: "queued", die: "dead" },
  dead: {},
};

export function transition(state: SessionState, event: SessionEvent): SessionState {
  const next = allowed[state][event];
  if (!next) throw runtimeApiErrors.invalidStateTransition(`${event} is not allowed while ${state}`);
  return next;
}

/** What the runtime receives from /next. */
export interface Delivery {
  requestId: string;
  payload: Buffer;
  /** Built at the moment of delivery, when the deadline starts. */
  headers: () => Record<string, string>;
}

/** The parked /next request of the runtime. */
export type NextWaiter = (delivery: Delivery) => void;

export interface FunctionFailure {
  errorType: string;
  errorMessage: string;
}

/** A result as the runtime posted it: the outcome, and the log streams it marked (container-log.ts). */
export interface SessionOutcome extends InvokeOutcome {
  markedStreams?: number[];
}

/** What the runtime did that the container's lifecycle must hear of (containers/lifecycle.ts). */
export type SessionSignal = { type: "answered" } | { type: "failed"; failure: FunctionFailure };

export function failurePayload(f: FunctionFailure): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage: f.errorMessage, errorType: f.errorType }));
}

export class Session {
  state: SessionState = "init";
  /** When the runtime first asked for work (end of its init phase). */
  readyAt: number | undefined;
  private waiter: NextWaiter | undefined;
  private current: { delivery: Delivery; resolve: (o: SessionOutcome) => void } | undefined;

  /** `signal` hears of the runtime's answers and failures, as they happen. */
  constructor(private readonly signal: (s: SessionSignal) => void = () => undefined) {}

  /** The runtime polls for its next event. */
  next(waiter: NextWaiter): void {
    this.state = transition(this.state, "next");
    this.readyAt ??= performance.now();
    if (this.state === "busy" && this.current) waiter(this.current.delivery);
    else this.waiter = waiter;
  }

  /** The invoker hands the session an event; resolves with the function's outcome. */
  invoke(delivery: Delivery): Promise<SessionOutcome> {
    this.state = transition(this.state, "invoke");
    return new Promise((resolve) => {
      this.current = { delivery, resolve };
      if (this.state === "busy" && this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(delivery);
      }
    });
  }

  /** The runtime posted a response or an error for `requestId`. */
  complete(requestId: string, outcome: SessionOutcome): void {
    if (!this.current || this.current.delivery.requestId !== requestId || this.state !== "busy") {
      throw runtimeApiErrors.invalidRequestId(`No invocation ${requestId} in progress`);
    }
    this.state = transition(this.state, "result");
    const { resolve } = this.current;
    this.current = undefined;
    resolve(outcome);
    this.signal({ type: "answered" });
  }

  /** The runtime reported that it cannot go on (its init failed): the session ends, and signals it. */
  die(failure: FunctionFailure): void {
    if (this.state === "dead") return;
    this.close(failure);
    this.signal({ type: "failed", failure });
  }

  /**
   * The platform ends the session (its container timed out, exited or is removed):
   * an invocation in flight answers `failure`. Nothing is signalled: the platform knows.
   */
  close(failure: FunctionFailure): void {
    if (this.state === "dead") return;
    this.state = transition(this.state, "die");
    this.waiter = undefined;
    const current = this.current;
    this.current = undefined;
    current?.resolve({ payload: failurePayload(failure), functionError: "Unhandled" });
  }

  get currentRequestId(): string | undefined {
    return this.current?.delivery.requestId;
  }
}
