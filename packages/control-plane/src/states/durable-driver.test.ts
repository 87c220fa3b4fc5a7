// The durable driver's loop against the in-memory ExecutionStore (the Postgres store's
// contract): compare-and-set appends, leases that keep two drivers off one execution
// and run out when one dies, effects performed once per key however often they are
// re-sent, Wait as a due time rather than sleeping code, and outcomes brought back by
// the async path's finished hook.
import { describe, expect, it } from "vitest";
import { createDriver, type Driver } from "./durable-driver.js";
import { MemoryExecutionStore } from "./memory-execution-store.js";
import { executionStartedEvent } from "./outcome-events.js";
import type { LoadContext } from "./outcomes.js";
import { taskListener } from "./start-states.js";
import { createTaskPort, type TaskPort } from "./task-effects.js";
import type { Definition, HistoryEvent } from "./types.js";

const ACCOUNT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:double`;
const MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:m`;
const definition: Definition = {
  StartAt: "First",
  States: {
    First: { Type: "Task", Resource: FN, Next: "Pause" },
    Pause: { Type: "Wait", Seconds: 5, Next: "Second" },
    Second: { Type: "Task", Resource: FN, End: true },
  },
};
const silent = { error: () => undefined };

function setup(broken = false) {
  const clock = { now: Date.parse("2026-06-01T00:00:00Z") };
  const store = new MemoryExecutionStore(clock);
  const load: LoadContext = async (row) => {
    if (broken) throw new Error("its revision is missing");
    return {
      definition,
      info: { executionArn: row.arn, name: row.name, stateMachineArn: MACHINE, stateMachineName: "m", roleArn: "r" },
    };
  };
  const tasks = createTaskPort({
    store,
    nudge: () => undefined,
    functionExists: async (_a, name) => name === "double",
    startChild: async () => undefined,
    callService: async () => undefined,
  });
  const opts = { pollMs: 10, leaseMs: 1000, sweepMs: 30_000, batch: 10, now: () => clock.now };
  const driver = (pollMs = opts.pollMs) => createDriver({ store, load, tasks, log: silent }, { ...opts, pollMs });
  const listener = taskListener(store, load);
  /** Runs every accepted invocation not run yet, as the async path would, doubling its input. */
  const ran = new Set<string>();
  async function runInvocations() {
    for (const inv of store.accepted) {
      if (ran.has(inv.id)) continue;
      ran.add(inv.id);
      const x = JSON.parse(inv.payload.toString()) as { n: number };
      const payload = Buffer.from(JSON.stringify({ n: x.n * 2 }));
      await listener({ invocationId: inv.id, accountId: ACCOUNT, outcome: { ok: true, payload } });
    }
  }
  async function start(name: string, input: unknown) {
    const arn = `arn:aws:states:us-east-1:${ACCOUNT}:execution:m:${name}`;
    const started = executionStartedEvent(input as never, "r", clock.now);
    await store.create({ arn, accountId: ACCOUNT, machineArn: MACHINE, name, revision: 1, input: "{}", started });
    return arn;
  }
  return { clock, store, load, opts, driver, runInvocations, start };
}

describe("ExecutionStore compare-and-set (memory)", () => {
  it("appends only onto the length it was decided on, and a closing event ends the execution", async () => {
    const { store, start } = setup();
    const arn = await start("cas", { n: 1 });
    const ev = (id: number, type: string, details: Record<string, unknown> = {}): HistoryEvent => ({
      id,
      previousEventId: id - 1,
      timestamp: new Date().toISOString(),
      type,
      ...details,
    });
    expect(await store.append(arn, 1, [ev(2, "PassStateEntered")], false)).toBe(true);
    // A second writer that decided on the same history loses and writes nothing.
    expect(await store.append(arn, 1, [ev(2, "TaskStateEntered")], false)).toBe(false);
    expect((await store.read(arn)).map((e) => e.type)).toEqual(["ExecutionStarted", "PassStateEntered"]);
    const end = ev(3, "ExecutionSucceeded", { executionSucceededEventDetails: { output: '{"ok":1}' } });
    expect(await store.append(arn, 2, [end], false)).toBe(true);
    expect(await store.get(arn)).toMatchObject({ status: "SUCCEEDED", output: '{"ok":1}', historyLength: 3 });
    // An ended execution takes no more events.
    expect(await store.append(arn, 3, [ev(4, "PassStateExited")], false)).toBe(false);
  });
});

describe("durable driver", () => {
  async function settle(d: Driver, run: () => Promise<void>) {
    for (let i = 0; i < 20; i++) {
      await run();
      if ((await d.tick()) === 0) return;
    }
  }

  it("runs Task → Wait → Task to the right output, invoking each task once however often it is re-decided", async () => {
    const { clock, store, driver, runInvocations, start } = setup();
    const arn = await start("run", { n: 3 });
    const d = driver();
    await d.tick();
    await d.tick(); // nothing due: the task's outcome has not come
    expect(store.accepted).toHaveLength(1);
    await settle(d, runInvocations);
    // Waiting: not due until the Wait's end, whatever the loop does meanwhile.
    expect((await store.get(arn))?.status).toBe("RUNNING");
    expect(await d.tick()).toBe(0);
    clock.now += 5000;
    await settle(d, runInvocations);
    expect(await store.get(arn)).toMatchObject({ status: "SUCCEEDED", output: '{"n":12}' });
    expect(store.accepted).toHaveLength(2);
    const types = (await store.read(arn)).map((e) => e.type);
    expect(types).toContain("WaitStateEntered");
    expect(types.filter((t) => t === "LambdaFunctionSucceeded")).toHaveLength(2);
  });

  it("a sweep re-sends pending effects without invoking twice", async () => {
    const { clock, store, driver, start } = setup();
    await start("sweep", { n: 1 });
    const d = driver();
    await d.tick();
    clock.now += 30_000;
    expect(await d.tick()).toBe(1);
    expect(store.accepted).toHaveLength(1);
  });

  it("keeps a second driver off a leased execution; a dead driver's execution resumes on another", async () => {
    const { clock, store, driver, runInvocations, start } = setup();
    const arn = await start("lease", { n: 5 });
    // The first driver claims it and dies before deciding anything.
    expect(await store.claim("dead", 10, 1000)).toHaveLength(1);
    const other = driver();
    expect(await other.tick()).toBe(0);
    clock.now += 1001;
    await settle(other, runInvocations);
    clock.now += 5000;
    await settle(other, runInvocations);
    expect(await store.get(arn)).toMatchObject({ status: "SUCCEEDED", output: '{"n":20}' });
    expect(store.accepted).toHaveLength(2);
  });

  it("fails the task with Lambda.ResourceNotFoundException for a function that does not exist", async () => {
    const { store, driver, start } = setup();
    definition.States.First = { Type: "Task", Resource: `${FN}x`, End: true };
    try {
      const arn = await start("missing", { n: 1 });
      const d = driver();
      await d.tick();
      await d.tick();
      expect(await store.get(arn)).toMatchObject({ status: "FAILED", error: "Lambda.ResourceNotFoundException" });
      expect(store.accepted).toHaveLength(0);
    } finally {
      definition.States.First = { Type: "Task", Resource: FN, Next: "Pause" };
    }
  });

  it("records a callback task's token with the event that shows it, before the task is performed", async () => {
    const { store, load, opts, start } = setup();
    definition.States.First = {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: { FunctionName: FN, Payload: { "token.$": "$$.Task.Token" } },
      End: true,
    };
    try {
      const arn = await start("token", {});
      // A task port that only looks: whoever read the token from the history may answer it already.
      const known: unknown[] = [];
      const tasks: TaskPort = {
        perform: async (_row, effect) => {
          known.push("taskToken" in effect && (await store.taskOfToken(effect.taskToken as string)));
          return undefined;
        },
      };
      await createDriver({ store, load, tasks, log: silent }, opts).tick();
      const scheduled = (await store.read(arn)).find((e) => e.type === "TaskScheduled") as HistoryEvent;
      const sent = JSON.parse(String((scheduled.taskScheduledEventDetails as { parameters: string }).parameters));
      expect(known).toEqual([
        { executionArn: arn, accountId: ACCOUNT, effectKey: expect.any(String), token: sent.Payload.token },
      ]);
    } finally {
      definition.States.First = { Type: "Task", Resource: FN, Next: "Pause" };
    }
  });

  it("an execution that cannot be decided waits for the sweep rather than spinning", async () => {
    const { clock, driver, start } = setup(true);
    await start("broken", { n: 1 });
    const d = driver();
    expect(await d.tick()).toBe(1);
    expect(await d.tick()).toBe(0);
    clock.now += 30_000;
    expect(await d.tick()).toBe(1);
  });

  it("a nudge drives a due execution at once, not at the next poll", async () => {
    const { store, driver, start } = setup();
    // A loop whose next poll is an hour away: only the nudge can drive it now.
    const d = driver(3_600_000);
    try {
      await start("nudged", { n: 1 });
      d.nudge();
      const deadline = Date.now() + 5000;
      while (store.accepted.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(store.accepted).toHaveLength(1);
    } finally {
      await d.stop();
    }
  });
});
