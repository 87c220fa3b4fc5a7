// Provisioned sets kept on a pool over the in-memory engine: filled and reported
// ready as their runtimes reach /next, pinned through the reaper and evictions,
// used by invocations, and given up when the desired state shrinks.
import type { ProvisionedSet } from "@stratus/shared";
import { describe, expect, it, vi } from "vitest";
import { testSpec } from "../testing/invoke-spec.js";
import { call, driverPerTest, IDLE_TTL_MS } from "../testing/pool-driver.js";

const spec = testSpec("kept", { version: "1" });
const set = (count: number, id = "p1"): ProvisionedSet => ({ id, spec, count });
const t = driverPerTest();

describe("a provisioned set", () => {
  it("is filled to its count, each container ready only once its runtime has reached /next", async () => {
    expect(t.apply(set(2))).toEqual([{ id: "p1", ready: 0, failures: 0 }]);
    const { c: first } = await t.sessionOf(1);
    await t.sessionOf(2);
    expect(t.pool.provisioned.report().sets).toEqual([{ id: "p1", ready: 0, failures: 0 }]);
    // Started from scratch, its runtime told how it was made ready.
    expect(first.spec.env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe("provisioned-concurrency");
    await t.initDone(1);
    expect(t.apply(set(2))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
    await t.initDone(2);
    expect(t.apply(set(2))).toEqual([{ id: "p1", ready: 2, failures: 0 }]);
    expect(t.engine.containers).toHaveLength(2);
    expect(t.pool.stats().byState).toMatchObject({ idle: 2, busy: 0, starting: 0 });
    const gauge = (await t.metrics.provisioned.get()).values;
    expect(gauge).toEqual([{ labels: { account: spec.accountId, function: "kept", version: "1" }, value: 2 }]);
  });

  it("starts at most two containers at once on the node, the next as one finishes its init", async () => {
    t.apply(set(2), set(1, "p2"));
    await t.settle();
    expect(t.engine.containers).toHaveLength(2);
    await t.initDone(1);
    expect(t.engine.containers).toHaveLength(3);
  });

  it("adopts an idle container of its version before it starts one", async () => {
    const c = await t.runOnDemand(spec, 1, 1);
    expect(c.spec.env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe("on-demand");
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
    expect(t.engine.containers).toHaveLength(1);
    expect(t.pool.pinned().map((p) => p.id)).toEqual([c.id]);
  });

  it("keeps its idle containers past the idle TTL, while an unpinned one is reaped", async () => {
    t.apply(set(1));
    const pinned = await t.initDone(1);
    const unpinned = await t.runOnDemand(testSpec("other"), 1, 2);
    await vi.advanceTimersByTimeAsync(IDLE_TTL_MS + 20_000);
    await vi.waitFor(() => expect(unpinned.removed).toBe(true));
    expect(pinned.removed).toBe(false);
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
  });

  it("is never evicted to make room: a node full of it refuses another function", async () => {
    const big = { ...spec, memoryMb: 512 };
    t.apply({ id: "p1", spec: big, count: 2 });
    const [a, b] = [await t.initDone(1), await t.initDone(2)];
    await expect(t.pool.invoke(testSpec("other"), call(1))).rejects.toMatchObject({ code: "TooManyRequestsException" });
    expect([a.removed, b.removed]).toEqual([false, false]);
    expect(t.engine.containers).toHaveLength(2);
  });

  it("serves its version's invocations warm, and its container stays pinned after", async () => {
    t.apply(set(1));
    const c = await t.initDone(1);
    const { answer } = await t.invokeOn(c, t.pool.invoke(spec, call(1)));
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
    expect((await answer()).payload.toString()).toBe('"ok"');
    await t.settle();
    expect(t.pool.pinned().map((p) => p.id)).toEqual([c.id]);
    expect(t.pool.stats().byState.idle).toBe(1);
    expect(t.engine.containers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(IDLE_TTL_MS + 20_000);
    expect(c.removed).toBe(false);
  });

  it("replaces a container that died, and one whose version was retired", async () => {
    t.apply(set(1));
    const c = await t.initDone(1);
    c.exit(137);
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 0, failures: 0 }]);
    const again = await t.initDone(2);
    expect(t.pool.retire({ accountId: spec.accountId, functionName: "kept", version: "1" })).toBe(1);
    await vi.waitFor(() => expect(again.removed).toBe(true));
    t.apply(set(1));
    await t.initDone(3);
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
  });
});

describe("a set that shrinks or is dropped", () => {
  it("gives up its extras: idle ones are removed at once", async () => {
    t.apply(set(3));
    const all = [await t.initDone(1), await t.initDone(2), await t.initDone(3)];
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
    await vi.waitFor(() => expect(all.filter((c) => c.removed)).toHaveLength(2));
    expect(t.pool.pinned()).toHaveLength(1);
  });

  it("unpins a busy container, which finishes its invocation and is then an ordinary warm one", async () => {
    t.apply(set(1));
    const c = await t.initDone(1);
    const { answer } = await t.invokeOn(c, t.pool.invoke(spec, call(1)));
    expect(t.apply()).toEqual([]);
    expect(c.removed).toBe(false);
    expect(t.pool.pinned()).toEqual([]);
    await answer();
    await t.settle();
    expect(t.pool.stats().byState.idle).toBe(1);
    // Reaped at its idle TTL like any warm container.
    await vi.advanceTimersByTimeAsync(IDLE_TTL_MS + 20_000);
    await vi.waitFor(() => expect(c.removed).toBe(true));
  });

  it("removes the idle containers of a dropped set, and no other set's", async () => {
    t.apply(set(1), set(1, "p2"));
    const [a, b] = [await t.initDone(1), await t.initDone(2)];
    expect(t.apply(set(1, "p2"))).toEqual([{ id: "p2", ready: 1, failures: 0 }]);
    await vi.waitFor(() => expect([a.removed, b.removed].filter(Boolean)).toHaveLength(1));
    expect(t.pool.pinned()).toHaveLength(1);
  });
});
