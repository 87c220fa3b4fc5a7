// Provisioned starts that fail: a runtime that dies or hangs in its init, a node with
// no room. Each is counted in the set's report with why, its container removed, and
// the set is tried again no sooner than every 5 s; a start that succeeds clears them.
import type { ProvisionedSet } from "@stratus/shared";
import { describe, expect, it, vi } from "vitest";
import { testSpec } from "../testing/invoke-spec.js";
import { driverPerTest } from "../testing/pool-driver.js";
import { RETRY_AFTER_MS } from "./provisioner.js";

const spec = testSpec("fragile", { version: "2" });
const set = (count: number, s = spec): ProvisionedSet => ({ id: "p1", spec: s, count });
const t = driverPerTest();

describe("a runtime that dies during its init", () => {
  it("is counted with its init error, removed, and its set retried no sooner than 5 s after", async () => {
    t.apply(set(1));
    const { c, session } = await t.sessionOf(1);
    session.die({ errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module 'index'" });
    await t.settle();
    await vi.waitFor(() => expect(c.removed).toBe(true));
    const failed = {
      id: "p1",
      ready: 0,
      failures: 1,
      lastError: "Runtime.ImportModuleError: Cannot find module 'index'",
    };
    expect(t.apply(set(1))).toEqual([failed]);
    // Neither a PUT nor the node's own timer starts it again before the 5 s are up.
    await vi.advanceTimersByTimeAsync(RETRY_AFTER_MS - 100);
    expect(t.apply(set(1))).toEqual([failed]);
    expect(t.engine.containers).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    t.apply(set(1));
    await t.initDone(2);
    // A container that reached /next clears the failures.
    expect(t.apply(set(1))).toEqual([{ id: "p1", ready: 1, failures: 0 }]);
  });

  it("counts a runtime that exits during its init, and each failure after", async () => {
    t.apply(set(1));
    (await t.sessionOf(1)).c.exit(1);
    await t.settle();
    expect(t.apply(set(1))).toEqual([
      {
        id: "p1",
        ready: 0,
        failures: 1,
        lastError: "the runtime exited during init (Runtime exited with error: exit status 1)",
      },
    ]);
    await vi.advanceTimersByTimeAsync(RETRY_AFTER_MS);
    t.apply(set(1));
    (await t.sessionOf(2)).c.exit(2);
    await t.settle();
    expect(t.apply(set(1))).toMatchObject([{ failures: 2, lastError: expect.stringContaining("exit status 2") }]);
  });

  it("is removed when its init runs past the function's timeout, 10 s at least", async () => {
    const slow = { ...spec, timeoutSeconds: 15 };
    t.apply(set(1, slow));
    const { c } = await t.sessionOf(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.apply(set(1, slow))).toEqual([{ id: "p1", ready: 0, failures: 0 }]);
    expect(c.removed).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(t.apply(set(1, slow))).toEqual([
      { id: "p1", ready: 0, failures: 1, lastError: "init did not finish within 15 s" },
    ]);
  });
});

describe("a node without room for the set", () => {
  it("reports it as the set's failure, and starts nothing", async () => {
    const huge = { ...spec, memoryMb: 2048 };
    t.apply(set(1, huge));
    await t.settle();
    expect(t.apply(set(1, huge))).toEqual([
      { id: "p1", ready: 0, failures: 1, lastError: "no room on node test for 2048 MB" },
    ]);
    expect(t.engine.containers).toHaveLength(0);
  });
});
