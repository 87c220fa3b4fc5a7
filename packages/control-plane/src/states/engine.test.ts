// Properties of the engine a durable driver relies on: appends are compare-and-set,
// effects are re-decided (same keys) after a crash, waits and backoffs are timers, Map
// caps its concurrency, and every event follows an earlier one.
import { describe, expect, it } from "vitest";
import { decide } from "./engine.js";
import { MemoryDriver, NEVER } from "./memory-driver.js";
import { executionStartedEvent, outcomeEvent } from "./outcome-events.js";
import type { Definition, HistoryEvent, InvokeEffect } from "./types.js";

const info = {
  executionArn: "arn:aws:states:us-east-1:123456789012:execution:m:e",
  name: "e",
  stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
  stateMachineName: "m",
  roleArn: "arn:aws:iam::123456789012:role/r",
};
const t0 = Date.parse("2026-01-01T00:00:00Z");
const fn = "arn:aws:lambda:us-east-1:123456789012:function:f";
const oneTask: Definition = {
  StartAt: "T",
  States: {
    T: { Type: "Task", Resource: fn, Retry: [{ ErrorEquals: ["E"], IntervalSeconds: 2, BackoffRate: 3 }], End: true },
  },
};
const mapOf = (extra: Record<string, unknown> = {}): Definition => ({
  StartAt: "M",
  States: {
    M: {
      Type: "Map",
      ...extra,
      ItemProcessor: { StartAt: "T", States: { T: { Type: "Task", Resource: fn, End: true } } },
      End: true,
    },
  },
});

describe("decide", () => {
  it("decides appends that only one of two racing control planes can make", async () => {
    const driver = new MemoryDriver(oneTask, info);
    driver.append(0, [executionStartedEvent({}, info.roleArn, t0)]);
    const a = await decide(oneTask, driver.history, t0, info);
    const b = await decide(oneTask, driver.history, t0, info);
    expect(a).toEqual(b);
    expect(a.append?.expectedLength).toBe(1);
    expect(driver.append(a.append?.expectedLength ?? -1, a.append?.events ?? [])).toBe(true);
    expect(driver.append(b.append?.expectedLength ?? -1, b.append?.events ?? [])).toBe(false);
    expect(driver.history.map((e) => e.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
    ]);
  });

  it("re-decides a pending invocation with the same key after a crash, appending nothing", async () => {
    const history: HistoryEvent[] = [executionStartedEvent({ a: 1 }, info.roleArn, t0)];
    const first = await decide(oneTask, history, t0, info);
    history.push(...(first.append?.events ?? []));
    const again = await decide(oneTask, history, t0 + 60_000, info);
    expect(again.append).toBeUndefined();
    expect(again.effects).toEqual(first.effects);
    const invoke = again.effects[0] as InvokeEffect;
    expect(invoke).toMatchObject({
      kind: "invoke",
      functionArn: fn,
      payload: { a: 1 },
      idempotencyKey: `${info.executionArn}//T@2/0`,
    });
  });

  it("waits out a retry's backoff as a timer, then schedules attempt 1 under a new key", async () => {
    const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
    history.push(...((await decide(oneTask, history, t0, info)).append?.events ?? []));
    const invoke = (await decide(oneTask, history, t0, info)).effects[0] as InvokeEffect;
    history.push(outcomeEvent(history, invoke, { ok: false, error: "E", cause: "" }, t0 + 1000));
    const early = await decide(oneTask, history, t0 + 2999, info);
    expect(early).toEqual({
      effects: [{ kind: "timer", timerKey: "/T@2#retry0", fireAt: t0 + 3000 }],
      status: "RUNNING",
    });
    const due = await decide(oneTask, history, t0 + 3000, info);
    expect(due.append?.events.map((e) => e.type)).toEqual(["LambdaFunctionScheduled"]);
    expect((due.effects[0] as InvokeEffect).idempotencyKey).toBe(`${info.executionArn}//T@2/1`);
  });

  it("holds a Wait state by a timer at its entry time plus Seconds", async () => {
    const wait: Definition = { StartAt: "W", States: { W: { Type: "Wait", Seconds: 90, End: true } } };
    const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
    const d = await decide(wait, history, t0 + 5, info);
    expect(d.effects).toEqual([{ kind: "timer", timerKey: "/W@2", fireAt: t0 + 5 + 90_000 }]);
  });

  it.each([
    [{}, 10],
    [{ MaxConcurrency: 3 }, 3],
    [{ MaxConcurrency: 0 }, 10],
  ])("caps a Map of 25 pending items (%j) at %i running iterations", async (extra, cap) => {
    const def = mapOf(extra);
    const history: HistoryEvent[] = [
      executionStartedEvent(
        Array.from({ length: 25 }, (_, i) => i),
        info.roleArn,
        t0,
      ),
    ];
    const d = await decide(def, history, t0, info);
    const started = (d.append?.events ?? []).filter((e) => e.type === "MapIterationStarted").length;
    expect(started).toBe(cap);
    expect(d.effects.filter((e) => e.kind === "invoke")).toHaveLength(cap);
  });

  it("never runs more iterations than the cap over a whole execution", async () => {
    const driver = new MemoryDriver(mapOf({ MaxConcurrency: 4 }), info, { functions: { f: (p) => p } });
    const r = await driver.run(Array.from({ length: 30 }, (_, i) => i));
    expect(r.output).toEqual(Array.from({ length: 30 }, (_, i) => i));
    let running = 0;
    let most = 0;
    for (const e of r.history) {
      if (e.type === "MapIterationStarted") running++;
      if (e.type === "MapIterationSucceeded") running--;
      most = Math.max(most, running);
    }
    expect(most).toBe(4);
    expect(new Set(r.invocations.map((i) => i.key)).size).toBe(30);
  });

  it("writes a well-formed history: ids in order, each following an earlier event", async () => {
    const def: Definition = {
      StartAt: "P",
      States: {
        P: {
          Type: "Parallel",
          Branches: [
            { StartAt: "M", States: mapOf().States },
            { StartAt: "W", States: { W: { Type: "Wait", Seconds: 1, End: true } } },
          ],
          End: true,
        },
      },
    };
    const r = await new MemoryDriver(def, info, { functions: { f: (p) => p } }).run([1, 2, 3]);
    expect(r.status).toBe("SUCCEEDED");
    r.history.forEach((e, i) => {
      expect(e.id).toBe(i + 1);
      expect(e.previousEventId).toBeLessThan(e.id);
    });
  });

  it("times out a .waitForTaskToken task nobody calls back", async () => {
    const def: Definition = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
          TimeoutSeconds: 60,
          Parameters: { FunctionName: "f", Payload: { "token.$": "$$.Task.Token" } },
          End: true,
        },
      },
    };
    const r = await new MemoryDriver(def, info, { functions: { f: () => NEVER } }).run({});
    expect({ status: r.status, error: r.error }).toEqual({ status: "FAILED", error: "States.Timeout" });
    expect(r.history.map((e) => e.type)).toContain("TaskTimedOut");
  });
});

describe("service integrations", () => {
  it("sends an SQS message carrying the task's token and waits for it; puts events and records the answer", async () => {
    const def: Definition = {
      StartAt: "Ask",
      States: {
        Ask: {
          Type: "Task",
          Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          Parameters: { QueueUrl: "q", MessageBody: { "token.$": "$$.Task.Token", "order.$": "$.order" } },
          ResultPath: "$.approval",
          HeartbeatSeconds: 30,
          Next: "Tell",
        },
        Tell: {
          Type: "Task",
          Resource: "arn:aws:states:::events:putEvents",
          Parameters: { Entries: [{ Source: "shop", DetailType: "Approved", "Detail.$": "$.approval" }] },
          ResultPath: "$.put",
          End: true,
        },
      },
    };
    const seen: unknown[] = [];
    const r = await new MemoryDriver(def, info, {
      services: {
        sqs: (params, token) => {
          seen.push(params);
          const body = (params as { MessageBody: { token: string } }).MessageBody;
          return { approved: body.token === token };
        },
        events: () => ({ Entries: [{ EventId: "e1" }], FailedEntryCount: 0 }),
      },
    }).run({ order: 7 });
    expect(r.status).toBe("SUCCEEDED");
    expect(r.output).toEqual({
      order: 7,
      approval: { approved: true },
      put: { Entries: [{ EventId: "e1" }], FailedEntryCount: 0 },
    });
    expect(seen).toEqual([
      { QueueUrl: "q", MessageBody: { token: expect.stringMatching(/^[0-9a-f]{64}$/), order: 7 } },
    ]);
    const scheduled = r.history.filter((e) => e.type === "TaskScheduled").map((e) => e.taskScheduledEventDetails);
    expect(scheduled).toMatchObject([
      { resourceType: "sqs", resource: "sendMessage.waitForTaskToken" },
      { resourceType: "events", resource: "putEvents" },
    ]);
  });
});

describe("history limit", () => {
  it("fails an execution that loops without waiting once its history reaches 25,000 events", async () => {
    const loop: Definition = {
      StartAt: "A",
      States: {
        A: { Type: "Pass", Next: "C" },
        C: { Type: "Choice", Choices: [{ Variable: "$.stop", BooleanEquals: true, Next: "Done" }], Default: "A" },
        Done: { Type: "Succeed" },
      },
    };
    const r = await new MemoryDriver(loop, info).run({ stop: false });
    expect({ status: r.status, error: r.error }).toEqual({ status: "FAILED", error: "States.Runtime" });
    expect(r.history.length).toBeLessThanOrEqual(25_000);
  });
});

describe("outcomes from outside", () => {
  const timed: Definition = {
    StartAt: "T",
    States: { T: { Type: "Task", Resource: fn, TimeoutSeconds: 10, End: true } },
  };

  it("ignores a result that arrives after the task timed out, and a second result", async () => {
    const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
    history.push(...((await decide(timed, history, t0, info)).append?.events ?? []));
    const invoke = (await decide(timed, history, t0, info)).effects[0] as InvokeEffect;
    const timedOut = await decide(timed, history, t0 + 10_000, info);
    history.push(...(timedOut.append?.events ?? []));
    expect(history.map((e) => e.type).slice(-1)).toEqual(["ExecutionFailed"]);
    history.push(outcomeEvent(history, invoke, { ok: true, value: "late" }, t0 + 11_000));
    expect(await decide(timed, history, t0 + 11_000, info)).toEqual({ effects: [], status: "FAILED" });
  });

  it("takes the first of two results for one task", async () => {
    const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
    history.push(...((await decide(timed, history, t0, info)).append?.events ?? []));
    const invoke = (await decide(timed, history, t0, info)).effects[0] as InvokeEffect;
    history.push(outcomeEvent(history, invoke, { ok: true, value: "first" }, t0 + 1));
    history.push(outcomeEvent(history, invoke, { ok: true, value: "second" }, t0 + 2));
    const d = await decide(timed, history, t0 + 3, info);
    const end = d.append?.events.at(-1);
    expect(end?.type).toBe("ExecutionSucceeded");
    expect(end?.executionSucceededEventDetails).toMatchObject({ output: '"first"' });
  });
});

describe("idempotency keys", () => {
  it("differ for each visit of a state a machine loops back to", async () => {
    const loop: Definition = {
      StartAt: "T",
      States: {
        T: { Type: "Task", Resource: fn, Next: "C" },
        C: { Type: "Choice", Choices: [{ Variable: "$.n", NumericLessThan: 3, Next: "T" }], Default: "Done" },
        Done: { Type: "Succeed" },
      },
    };
    const r = await new MemoryDriver(loop, info, { functions: { f: (p) => ({ n: (p as { n: number }).n + 1 }) } }).run({
      n: 0,
    });
    expect(r.output).toEqual({ n: 3 });
    expect(r.invocations.map((i) => i.key)).toEqual([
      `${info.executionArn}//T@2/0`,
      `${info.executionArn}//T@8/0`,
      `${info.executionArn}//T@14/0`,
    ]);
  });
});

describe("stopping", () => {
  it("decides nothing more once ExecutionAborted is appended, even mid-Map", async () => {
    const history: HistoryEvent[] = [executionStartedEvent([1, 2], info.roleArn, t0)];
    history.push(...((await decide(mapOf(), history, t0, info)).append?.events ?? []));
    const last = history.at(-1) as HistoryEvent;
    history.push({
      id: last.id + 1,
      previousEventId: last.id,
      timestamp: new Date(t0 + 1).toISOString(),
      type: "ExecutionAborted",
      executionAbortedEventDetails: { error: "Stopped", cause: "by the user" },
    });
    expect(await decide(mapOf(), history, t0 + 2, info)).toEqual({ effects: [], status: "ABORTED" });
  });
});

describe("history event shapes", () => {
  it("records lambda:invoke as AWS does: TaskScheduled with its parameters, TaskSucceeded naming the resource", async () => {
    const def: Definition = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: "f", "Payload.$": "$" },
          End: true,
        },
      },
    };
    const r = await new MemoryDriver(def, info, { functions: { f: () => 1 } }).run({ a: 1 });
    const byType = Object.fromEntries(r.history.map((e) => [e.type, e]));
    expect(byType.TaskScheduled?.taskScheduledEventDetails).toEqual({
      resourceType: "lambda",
      resource: "invoke",
      region: "us-east-1",
      parameters: JSON.stringify({ FunctionName: "f", Payload: { a: 1 } }),
    });
    expect(byType.TaskSucceeded?.taskSucceededEventDetails).toMatchObject({
      resourceType: "lambda",
      resource: "invoke",
    });
    const succeeded = byType.TaskSucceeded?.taskSucceededEventDetails as { output: string } | undefined;
    expect(JSON.parse(succeeded?.output ?? "null")).toMatchObject({
      Payload: 1,
      StatusCode: 200,
    });
    expect(byType.TaskStateEntered?.stateEnteredEventDetails).toEqual({
      name: "T",
      input: '{"a":1}',
      inputDetails: { truncated: false },
    });
  });
});
