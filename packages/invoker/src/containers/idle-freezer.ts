// Idle warm containers are frozen, as Lambda's execution environments are between
// invocations: a short grace after an invocation (so a steady stream of invokes never
// pays a thaw), then the engine freezes the container's processes, and whatever the
// function left running in the background makes no progress and uses no CPU until
// the next invocation of that same function thaws it. Stem cells run no function
// code and are never frozen. Frozen is not a state of its own in lifecycle.ts: the
// container stays idle, and a claim thaws it before the event is handed over.
import type { Logger } from "@stratus/shared";
import type { Freezing } from "../backend/container-backend.js";
import type { Container } from "./container.js";

export class IdleFreezer {
  private readonly timers = new Map<Container, NodeJS.Timeout>();
  /** Containers being or having been frozen: whether the freeze took. */
  private readonly frozen = new Map<Container, Promise<boolean>>();
  /** Containers whose freeze has taken (and that are not claimed since). */
  private readonly done = new Set<Container>();

  /** `graceMs` undefined, or an engine that cannot freeze: nothing is frozen. */
  constructor(
    private readonly engine: Freezing | undefined,
    private readonly graceMs: number | undefined,
    private readonly log: Pick<Logger, "warn">,
    private readonly counted: { freezes: { inc(): void } },
  ) {}

  /** `c` became idle: it is frozen after the grace unless claimed first. */
  idle(c: Container): void {
    const { engine, graceMs } = this;
    if (!engine || graceMs === undefined) return;
    this.cancel(c);
    const timer = setTimeout(() => {
      this.timers.delete(c);
      if (c.life.state !== "idle") return;
      const took = engine.freeze(c.id).then(
        () => {
          this.counted.freezes.inc();
          if (this.frozen.get(c) === took) this.done.add(c);
          return true;
        },
        (err: Error) => {
          // Exited or being removed meanwhile: its exit or removal says so elsewhere.
          if (c.life.state === "idle") this.log.warn("could not freeze an idle container", { container: c.id, err });
          return false;
        },
      );
      this.frozen.set(c, took);
    }, graceMs);
    timer.unref();
    this.timers.set(c, timer);
  }

  /** `c` was claimed: resolves once its processes run again (throws if they cannot). */
  async wake(c: Container): Promise<void> {
    this.cancel(c);
    const took = this.frozen.get(c);
    if (!took) return;
    this.frozen.delete(c);
    this.done.delete(c);
    if ((await took) && this.engine) await this.engine.thaw(c.id);
  }

  /** `c` is going: nothing more to do for it. */
  forget(c: Container): void {
    this.cancel(c);
    this.frozen.delete(c);
    this.done.delete(c);
  }

  /** Whether `c` is frozen now (its freeze has taken). */
  isFrozen(c: Container): boolean {
    return this.done.has(c);
  }

  private cancel(c: Container): void {
    const timer = this.timers.get(c);
    if (timer) clearTimeout(timer);
    this.timers.delete(c);
  }
}
