// Test support: a pool on the in-memory engine, rebuilt for each test, with the test
// playing each container's runtime (it reaches /next, takes an event, answers) and
// the clock (timers and Date are fake: a test moves them).
import type { InvokeSpec, ProvisionedSet } from "@stratus/shared";
import { Registry } from "prom-client";
import { afterEach, beforeEach, vi } from "vitest";
import { FakeBackend, type FakeContainer } from "../backend/fake-backend.js";
import { createInvokerMetrics, type InvokerMetrics } from "../metrics.js";
import { ContainerPool, type PoolInvokeResult } from "../pool/container-pool.js";
import type { Delivery, Session } from "../runtime-api/session.js";
import { fakeRuntimeApi } from "./fake-runtime-api.js";

export const NODE_CAPACITY_MB = 1024;
export const IDLE_TTL_MS = 60_000;

export const call = (n: number) => ({
  requestId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  payload: Buffer.from("{}"),
});

export class PoolDriver {
  engine = new FakeBackend();
  sessions = new Map<string, Session>();
  metrics!: InvokerMetrics;
  pool!: ContainerPool;
  /** The event each runtime parked on /next will be handed. */
  private readonly events = new Map<FakeContainer, Promise<Delivery>>();

  /** A new engine and pool, on fake timers. */
  reset(): void {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    this.engine = new FakeBackend();
    this.events.clear();
    const runtimeApi = fakeRuntimeApi();
    this.sessions = runtimeApi.sessions;
    this.metrics = createInvokerMetrics(new Registry(), () => ({ ...this.pool.stats(), capacityMb: NODE_CAPACITY_MB }));
    this.pool = new ContainerPool(
      {
        nodeId: "test",
        network: "net",
        capacityMb: NODE_CAPACITY_MB,
        idleTtlMs: IDLE_TTL_MS,
        logBytesPerInvocation: 4096,
        stemCells: { perRuntime: 0, runtimes: [], memoryMb: 128, ephemeralStorageMb: 512 },
      },
      this.engine,
      runtimeApi.api,
      { dirFor: async () => "/code", refusal: () => undefined },
      { dirFor: async () => undefined },
      { create: async () => "/stem", populate: async () => undefined, remove: async () => undefined },
      this.metrics,
      { warn: () => undefined, error: () => undefined },
    );
  }

  /** Lets the pool's promise chains run, the clock standing still. */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
  }

  /** Hands the node `sets` as its whole desired state; its report. */
  apply(...sets: ProvisionedSet[]) {
    return this.pool.provisioned.apply({ sets }).sets;
  }

  /** The session of the engine's `n`th container (counting from 1), once started and bound. */
  async sessionOf(n: number): Promise<{ c: FakeContainer; session: Session }> {
    const c = await this.engine.started(n);
    await this.settle();
    const session = this.sessions.get(c.ip);
    if (!session) throw new Error(`no session for container ${n}`);
    return { c, session };
  }

  /** Plays the runtime of the engine's `n`th container reaching /next: its init is over. */
  async initDone(n: number): Promise<FakeContainer> {
    const { c, session } = await this.sessionOf(n);
    this.park(c, session);
    await this.settle();
    return c;
  }

  /** Runs invocation `n` of `spec` on the engine's `nth` container, started for it (on demand); it parks again after. */
  async runOnDemand(spec: InvokeSpec, n: number, nth: number): Promise<FakeContainer> {
    const result = this.pool.invoke(spec, call(n));
    const c = await this.initDone(nth);
    const { answer } = await this.invokeOn(c, result);
    await answer();
    await this.settle();
    return c;
  }

  /** The runtime parked in `c` takes the event of invocation `invoked` (a pool.invoke); `answer` answers it and parks again. */
  async invokeOn(
    c: FakeContainer,
    invoked: Promise<PoolInvokeResult>,
  ): Promise<{ answer: () => Promise<PoolInvokeResult> }> {
    const event = this.events.get(c);
    if (!event) throw new Error(`the runtime of ${c.id} is not parked`);
    const d = await event;
    const answer = async () => {
      const session = this.sessions.get(c.ip) as Session;
      session.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
      this.park(c, session);
      return invoked;
    };
    return { answer };
  }

  private park(c: FakeContainer, session: Session): void {
    this.events.set(
      c,
      new Promise((resolve) =>
        session.next((d) => {
          d.headers();
          resolve(d);
        }),
      ),
    );
  }
}

/** A driver whose engine and pool are new for each test of the file, and closed after it. */
export function driverPerTest(): PoolDriver {
  const driver = new PoolDriver();
  beforeEach(() => driver.reset());
  afterEach(async () => {
    vi.useRealTimers();
    await driver.pool.close();
  });
  return driver;
}
