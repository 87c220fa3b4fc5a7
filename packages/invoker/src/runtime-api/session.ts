// One container's Runtime API session: the state machine between the invoker (which
// hands it events) and the runtime inside the container (which long-polls /next and
// posts results). One invocation at a time, as in Lambda. Every transition not listed
// in `allowed` is refused. What the runtime does that its container's life hangs on
// (it answered, it failed) is signalled to the session's owner.
//
//   init ──next──► idle ──invoke──► busy ──response|error──► awaiting-next ──next──► idle
//   init ──invoke──► queued ──next──► busy                     (cold start: event waits)
//   busy ──stream──► streaming ──response end──► awaiting-next (a streamed result)
//   any ──init-error|exit|kill──► dead
import type { Readable } from "node:stream";
import type { InvokeOutcome } from "@stratus/shared";
import { runtimeApiErrors } from "./errors.js";

export type SessionState = "init" | "idle" | "queued" | "busy" | "streaming" | "awaiting-next" | "dead";
export type SessionEvent = "next" | "invoke" | "stream" | "result" | "die";

const allowed: Record<SessionState, Partial<Record<SessionEvent, SessionState>>> = {
  init: { next: "idle", invoke: "queued", die: "dead" },
  idle: { invoke: "busy", die: "dead" },
  queued: { next: "busy", die: "dead" },
  busy: { stream: "streaming", result: "awaiting-next", die: "dead" },
  streaming: { result: "awaiting-next", die: "dead" },
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
  /** Set when the runtime streams its result; `payload` is then empty. */
  stream?: StreamedResult;
}

/** A result the runtime streams (Lambda-Runtime-Function-Response-Mode: streaming). */
export interface StreamedResult {
  contentType: string;
  /** The bytes as the runtime sends them; destroyed if its request breaks off. */
  body: Readable;
  /**
   * How the stream ended, once it has: an empty payload, or the function's error
   * (posted in trailers, or the failure its death or timeout answered).
   */
  ended: Promise<SessionOutcome>;
}

/** What the runtime did that the container's lifecycle must hear of (containers/lifecycle.ts). */
export type SessionSignal = { type: "answered" } | { type: "failed"; failure: FunctionFailure };

const EMPTY = Buffer.alloc(0);

export function failurePayload(f: FunctionFailure): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage: f.errorMessage, errorType: f.errorType }));
}

export class Session {
  state: SessionState = "init";
  /** When the runtime first asked for work (end of its init phase). */
  readyAt: number | undefined;
  private waiter: NextWaiter | undefined;
  private current: { delivery: Delivery; resolve: (o: SessionOutcome) => void } | undefined;
  /** The invocation whose result is streaming in, and how to end it. */
  private streaming: { requestId: string; end: (o: SessionOutcome) => void } | undefined;
  /** Who waits for the runtime to be parked on /next again (parked()). */
  private parkedWaiters: (() => void)[] = [];

  /** `signal` hears of the runtime's answers and failures, as they happen. */
  constructor(private readonly signal: (s: SessionSignal) => void = () => undefined) {}

  /** The runtime polls for its next event. */
  next(waiter: NextWaiter): void {
    this.state = transition(this.state, "next");
    this.readyAt ??= performance.now();
    if (this.state === "busy" && this.current) waiter(this.current.delivery);
    else this.waiter = waiter;
    if (this.state === "idle") this.settleParked();
  }

  /**
   * Resolves once the runtime is parked on /next with nothing to do (at once if it
   * is), or once the session ends: what an idle container's freeze waits for.
   */
  parked(): Promise<void> {
    if (this.state === "idle" || this.state === "dead") return Promise.resolve();
    return new Promise((resolve) => this.parkedWaiters.push(resolve));
  }

  private settleParked(): void {
    const waiters = this.parkedWaiters;
    this.parkedWaiters = [];
    for (const w of waiters) w();
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

  /**
   * The runtime begins to stream its result for `requestId`: the invocation answers
   * now, with `body`; complete() ends the stream later, as close() does.
   */
  stream(requestId: string, contentType: string, body: Readable): void {
    const { resolve } = this.taking(requestId);
    this.state = transition(this.state, "stream");
    const ended = new Promise<SessionOutcome>((end) => {
      this.streaming = { requestId, end };
    });
    resolve({ payload: EMPTY, stream: { contentType, body, ended } });
  }

  /** The runtime posted a response or an error for `requestId`, or ended the stream of one. */
  complete(requestId: string, outcome: SessionOutcome): void {
    if (this.state === "streaming" && this.streaming?.requestId === requestId) {
      const { end } = this.streaming;
      this.streaming = undefined;
      this.state = transition(this.state, "result");
      end(outcome);
    } else {
      const { resolve } = this.taking(requestId);
      this.state = transition(this.state, "result");
      resolve(outcome);
    }
    this.signal({ type: "answered" });
  }

  /** The invocation `requestId` in progress, taken out of the session for its result. */
  private taking(requestId: string): { resolve: (o: SessionOutcome) => void } {
    if (!this.current || this.current.delivery.requestId !== requestId || this.state !== "busy") {
      throw runtimeApiErrors.invalidRequestId(`No invocation ${requestId} in progress`);
    }
    const current = this.current;
    this.current = undefined;
    return current;
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
    const streaming = this.streaming;
    this.current = undefined;
    this.streaming = undefined;
    const outcome: SessionOutcome = { payload: failurePayload(failure), functionError: "Unhandled" };
    current?.resolve(outcome);
    streaming?.end(outcome);
    this.settleParked();
  }

  get currentRequestId(): string | undefined {
    return this.current?.delivery.requestId;
  }
}
