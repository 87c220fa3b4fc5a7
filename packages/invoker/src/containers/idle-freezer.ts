// Idle warm containers are frozen, as Lambda's execution environments are between
// invocations: a short grace after an invocation (so a steady stream of invokes never
// pays a thaw), then the engine freezes the container's processes, and whatever the
// function left running in the background makes no progress and uses no CPU until
// the next invocation of that same function thaws it. Stem cells run no function
// code and are never frozen. Frozen is not a state of its own in lifecycle.ts: the
// container stays idle, and a claim thaws it before the event is handed over. One the
// engine cannot freeze (tried twice) is removed rather than left running.
import type { Logger } from "@stratus/shared";
import type { Freezing } from "../backend/container-backend.js";
import type { Container } from "./container.js";

/** A failed freeze is tried once more this long after. */
const RETRY_AFTER_MS = 1_000;

export class IdleFreezer {
  private readonly timers = new Map<Container, NodeJS.Timeout>();
  /** Containers being or having been frozen: whether the freeze took. */
  private readonly frozen = new Map<Container, Promise<boolean>>();
  /** Containers whose freeze has taken (and that are not claimed since). */
  private readonly done = new Set<Container>();

  /**
   * `graceMs` undefined, or an engine that cannot freeze: nothing is frozen.
   * `unfreezable`: an idle container the engine failed to freeze twice (thousands of
   * processes forking, say), which must not run on unfrozen: the caller removes it.
   */
  constructor(
    private readonly engine: Freezing | undefined,
    private readonly graceMs: number | undefined,
    private readonly log: Pick<Logger, "warn">,
    private readonly counted: { freezes: { inc(): void } },
    private readonly unfreezable: (c: Container) => void = () => undefined,
  ) {}

  /** `c` became idle: it is frozen after the grace unless claimed first. */
  idle(c: Container, delayMs = this.graceMs, retry = true): void {
    const { engine } = this;
    if (!engine || delayMs === undefined) return;
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
          if (this.frozen.get(c) === took) this.frozen.delete(c);
          // Exited or being removed meanwhile: its exit or removal says so elsewhere.
          if (c.life.state !== "idle") return false;
          if (retry) {
            this.idle(c, RETRY_AFTER_MS, false);
          } else {
            this.log.warn("could not freeze an idle container: removing it", { container: c.id, err });
            this.unfreezable(c);
          }
          return false;
        },
      );
      this.frozen.set(c, took);
    }, delayMs);
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

  /**
   * `c` is about to be removed: waits out a freeze in flight and thaws it if it took,
   * so the engine's kill reaches running processes (a removal racing a freeze that was
   * still settling hung the engine once). Never throws: the removal goes on regardless.
   */
  async settle(c: Container): Promise<void> {
    this.cancel(c);
    const took = this.frozen.get(c);
    this.forget(c);
    if (!took || !this.engine) return;
    if (await took) await this.engine.thaw(c.id).catch(() => undefined);
  }

  /** `c` is going: nothing more to do for it. */
  private forget(c: Container): void {
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
