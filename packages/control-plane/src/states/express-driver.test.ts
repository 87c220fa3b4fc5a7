// The durable driver ends an Express execution still running at its limit (States.Timeout),
// tells its end once, and leaves Standard executions and Express ones within the limit alone;
// an execution's log lines are written as its events are appended, each exactly once.
import { describe, expect, it } from "vitest";
import type { ExecutionRow } from "../store/execution-store.js";
import type { MachineLogging } from "../store/sfn-machine-store.js";
import { createDriver } from "./durable-driver.js";
import type { LogBatch } from "./execution-logs.js";
import { expressArn, expressRowName } from "./express.js";
import { MemoryExecutionStore } from "./memory-execution-store.js";
import { executionStartedEvent } from "./outcome-events.js";
import type { LoadContext } from "./outcomes.js";
import { createTaskPort } from "./task-effects.js";

const ACCOUNT = "123456789012";
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:m`;
const waiting = { StartAt: "W", States: { W: { Type: "Wait", Seconds: 60, End: true } } };

function platform(logging?: MachineLogging) {
  const clock = { now: Date.parse("2026-06-01T00:00:00Z") };
  const store = new MemoryExecutionStore(clock, () => logging);
  const load: LoadContext = async (row) => ({
    definition: waiting,
    info: { executionArn: row.arn, name: row.name, stateMachineArn: MACHINE, stateMachineName: "m", roleArn: "r" },
  });
  const tasks = createTaskPort({
    store,
    nudge: () => undefined,
    functionExists: async () => false,
    startChild: async () => undefined,
    callService: async () => undefined,
  });
  const ended: ExecutionRow[] = [];
  const driver = () =>
    createDriver(
      { store, load, tasks, log: { error: () => undefined }, ended: async (r) => void ended.push(r) },
      { pollMs: 10, leaseMs: 1000, sweepMs: 30_000, batch: 10, expressMaxMs: 4000, now: () => clock.now },
    );
  const started = executionStartedEvent({ secret: 1 }, "r", clock.now);
  const base = { accountId: ACCOUNT, machineArn: MACHINE, revision: 1, input: '{"secret":1}', started };
  return { clock, store, ended, driver, base };
}

describe("Express executions in the durable driver", () => {
  it("ends one still running at the limit TIMED_OUT, once; a Standard one waits on", async () => {
    const { clock, store, ended, driver: make, base } = platform();
    const driver = make();
    const express = expressArn("us-east-1", ACCOUNT, "m", "run");
    const standard = `arn:aws:states:us-east-1:${ACCOUNT}:execution:m:run`;
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

  const logging = (level: MachineLogging["level"]): MachineLogging => ({
    level,
    includeExecutionData: false,
    logGroup: "/sfn/m",
    logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/sfn/m:*`,
  });
  const types = (lines: LogBatch[]) => lines.flatMap((b) => b.events.map((e) => JSON.parse(e.message).type));

  it("writes the lines of each append as it lands, while the execution runs; a driver taking over adds none twice", async () => {
    const { clock, store, driver, base } = platform(logging("ALL"));
    const arn = expressArn("us-east-1", ACCOUNT, "m", "run");
    await store.create({ ...base, arn, name: expressRowName(arn) });
    expect(types(store.lines)).toEqual(["ExecutionStarted"]);
    await driver().tick();
    // Waiting: the lines so far are written, the end's are not.
    expect((await store.get(arn))?.status).toBe("RUNNING");
    expect(types(store.lines)).toEqual(["ExecutionStarted", "WaitStateEntered"]);
    expect(store.lines.every((b) => b.group === "/sfn/m" && b.stream === store.lines[0]?.stream)).toBe(true);
    expect(JSON.stringify(store.lines)).not.toContain("secret");
    // Another control plane re-decides it from the history (the first one died): nothing is appended, nor logged.
    await driver().step((await store.get(arn)) as ExecutionRow);
    expect(
      await store.append(arn, 1, [{ id: 2, previousEventId: 1, timestamp: "", type: "PassStateEntered" }], false),
    ).toBe(false);
    expect(types(store.lines)).toEqual(["ExecutionStarted", "WaitStateEntered"]);
    clock.now += 5000;
    await driver().tick();
    expect(types(store.lines)).toEqual(["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]);
    const ids = store.lines.flatMap((b) => b.events.map((e) => JSON.parse(e.message).id));
    expect(ids).toEqual(["1", "2", "3"]);
  });

  it("writes at the machine's level: FATAL leaves only the end", async () => {
    const { clock, store, driver, base } = platform(logging("FATAL"));
    const arn = expressArn("us-east-1", ACCOUNT, "m", "run");
    await store.create({ ...base, arn, name: expressRowName(arn) });
    await driver().tick();
    expect(store.lines).toEqual([]);
    clock.now += 5000;
    await driver().tick();
    expect(types(store.lines)).toEqual(["ExecutionTimedOut"]);
  });
});
