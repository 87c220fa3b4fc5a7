// The durable driver ends an Express execution still running at its limit (States.Timeout),
// tells its end once, and leaves Standard executions and Express ones within the limit alone.
import { describe, expect, it } from "vitest";
import type { ExecutionRow } from "../store/execution-store.js";
import { createDriver } from "./durable-driver.js";
import { expressArn, expressRowName } from "./express.js";
import { MemoryExecutionStore } from "./memory-execution-store.js";
import { executionStartedEvent } from "./outcome-events.js";
import type { LoadContext } from "./outcomes.js";
import { createTaskPort } from "./task-effects.js";

const ACCOUNT = "123456789012";
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:m`;
const waiting = { StartAt: "W", States: { W: { Type: "Wait", Seconds: 60, End: true } } };

describe("Express executions in the durable driver", () => {
  it("ends one still running at the limit TIMED_OUT, once; a Standard one waits on", async () => {
    const clock = { now: Date.parse("2026-06-01T00:00:00Z") };
    const store = new MemoryExecutionStore(clock);
    const load: LoadContext = async (row) => ({
      definition: waiting,
      info: { executionArn: row.arn, name: row.name, stateMachineArn: MACHINE, stateMachineName: "m", roleArn: "r" },
    });
    const tasks = createTaskPort({
      store,
      nudge: () => undefined,
      functionExists: async () => false,
      startChild: async () => undefined,
    });
    const ended: ExecutionRow[] = [];
    const driver = createDriver(
      { store, load, tasks, log: { error: () => undefined }, ended: async (r) => void ended.push(r) },
      { pollMs: 10, leaseMs: 1000, sweepMs: 30_000, batch: 10, expressMaxMs: 4000, now: () => clock.now },
    );
    const started = executionStartedEvent({} as never, "r", clock.now);
    const express = expressArn("us-east-1", ACCOUNT, "m", "run");
    const standard = `arn:aws:states:us-east-1:${ACCOUNT}:execution:m:run`;
    const base = { accountId: ACCOUNT, machineArn: MACHINE, revision: 1, input: "{}", started };
    await store.create({ ...base, arn: express, name: expressRowName(express) });
    await store.create({ ...base, arn: standard, name: "run" });
    await driver.tick();
    expect((await store.get(express))?.status).toBe("RUNNING");
    clock.now += 3000;
    await driver.tick();
    expect((await store.get(express))?.status).toBe("RUNNING");
    clock.now += 2000;
    await driver.tick();
    await driver.tick();
    expect(await store.get(express)).toMatchObject({ status: "TIMED_OUT", error: "States.Timeout" });
    expect((await store.read(express)).at(-1)?.type).toBe("ExecutionTimedOut");
    expect(ended.map((r) => r.arn)).toEqual([express]);
    expect((await store.get(standard))?.status).toBe("RUNNING");
  });
});
