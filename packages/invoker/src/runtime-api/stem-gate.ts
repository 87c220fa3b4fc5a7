// The one-shot hand-over of identity to a stem cell. A stem cell's runtime client
// long-polls the Stratus-only specialise endpoint before it loads any handler; the
// pool gives the gate the function's handler and environment exactly once, and the
// server then forgets the gate, so a specialised container can never ask again and
// stays bound to that one function version for the rest of its life.
//
//   waiting ──give──► given        waiting ──close──► closed        (nothing else)

export interface StemIdentity {
  handler: string;
  env: Record<string, string>;
}

export type StemGateState = "waiting" | "given" | "closed";

export class StemGate {
  private current: StemGateState = "waiting";
  private identity: StemIdentity | undefined;
  private readonly waiters = new Set<(identity: StemIdentity | undefined) => void>();

  get state(): StemGateState {
    return this.current;
  }

  /**
   * Resolves with the identity once given, or undefined when the gate closes or
   * `timeoutMs` passes first (the runtime then polls again).
   */
  wait(timeoutMs: number): Promise<StemIdentity | undefined> {
    if (this.current !== "waiting") return Promise.resolve(this.identity);
    return new Promise((resolve) => {
      const done = (identity: StemIdentity | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(identity);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.waiters.add(done);
    });
  }

  /** Hands the identity to the waiting runtime; throws unless the gate is still waiting. */
  give(identity: StemIdentity): void {
    if (this.current !== "waiting") throw new Error(`stem gate cannot be given an identity while ${this.current}`);
    this.current = "given";
    this.identity = identity;
    for (const w of [...this.waiters]) w(identity);
  }

  /** The stem cell is going away: any waiting poll is answered with nothing. */
  close(): void {
    if (this.current !== "waiting") return;
    this.current = "closed";
    for (const w of [...this.waiters]) w(undefined);
  }

  /** True while a runtime's poll is parked here (it has finished starting). */
  get polled(): boolean {
    return this.waiters.size > 0;
  }
}
