// HeartbeatSeconds: a callback (or .sync) task fails with States.HeartbeatTimeout when
// no SendTaskHeartbeat came for that long; a heartbeat moves the deadline (decide reads
// the last one, since a heartbeat leaves no event); States.Timeout names the error too.
import { describe, expect, it } from "vitest";
import { decide } from "./engine.js";
import { MemoryDriver, NEVER } from "./memory-driver.js";
import { executionStartedEvent } from "./outcome-events.js";
import type { CallbackEffect, Definition, HistoryEvent, StartExecutionEffect } from "./types.js";

const info = {
  executionArn: "arn:aws:states:us-east-1:123456789012:execution:m:e",
  name: "e",
  stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
  stateMachineName: "m",
  roleArn: "arn:aws:iam::123456789012:role/r",
};
const t0 = Date.parse("2026-01-01T00:00:00Z");
const callback = (extra: Record<string, unknown> = {}): Definition => ({
  StartAt: "T",
  States: {
    T: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      TimeoutSeconds: 600,
      HeartbeatSeconds: 10,
      Parameters: { FunctionName: "f", Payload: { "token.$": "$$.Task.Token" } },
      ...extra,
      End: true,
    },
  },
});

/** The history once the task is scheduled at t0, and its pending callback effect. */
async function scheduled(def: Definition): Promise<{ history: HistoryEvent[]; effect: CallbackEffect }> {
  const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
  const d = await decide(def, history, t0, info);
  history.push(...(d.append?.events ?? []));
  const effect = (await decide(def, history, t0, info)).effects.find((e) => e.kind === "awaitCallback");
  return { history, effect: effect as CallbackEffect };
}

describe("HeartbeatSeconds", () => {
  it("fails a callback task that never heartbeats with States.HeartbeatTimeout after HeartbeatSeconds", async () => {
    const r = await new MemoryDriver(callback(), info, { functions: { f: () => NEVER } }).run({});
    expect({ status: r.status, error: r.error }).toEqual({ status: "FAILED", error: "States.HeartbeatTimeout" });
    const timedOut = r.history.find((e) => e.type === "TaskTimedOut") as HistoryEvent;
    expect(timedOut.taskTimedOutEventDetails).toMatchObject({ error: "States.HeartbeatTimeout" });
    expect(Date.parse(timedOut.timestamp) - t0).toBe(10_000);
  });

  it("moves the deadline to the last heartbeat plus HeartbeatSeconds", async () => {
    const def = callback();
    const { history, effect } = await scheduled(def);
    const beats = { [effect.idempotencyKey]: t0 + 8_000 };
    const before = await decide(def, history, t0 + 15_000, info, beats);
    expect(before.append).toBeUndefined();
    expect(before.effects.filter((e) => e.kind === "timer").map((e) => e.fireAt)).toContain(t0 + 18_000);
    const after = await decide(def, history, t0 + 18_000, info, beats);
    expect(after.append?.events.map((e) => e.type)).toContain("TaskTimedOut");
    // Without the heartbeat the task had already timed out at t0 + 10 s.
    const without = await decide(def, history, t0 + 15_000, info);
    expect(without.append?.events.map((e) => e.type)).toContain("TaskTimedOut");
  });

  it("is caught by States.Timeout and not by States.TaskFailed", async () => {
    const caught = callback({
      Catch: [
        { ErrorEquals: ["States.TaskFailed"], Next: "Wrong" },
        { ErrorEquals: ["States.Timeout"], Next: "Right" },
      ],
      End: undefined,
    });
    Object.assign(caught.States, { Wrong: { Type: "Fail", Error: "wrong" }, Right: { Type: "Succeed" } });
    const r = await new MemoryDriver(caught, info, { functions: { f: () => NEVER } }).run({});
    expect(r.status).toBe("SUCCEEDED");
    expect(r.history.map((e) => e.type)).toContain("TaskTimedOut");
  });

  it("does not watch a request-response task, which has no worker to heartbeat", async () => {
    const def: Definition = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "arn:aws:lambda:us-east-1:123456789012:function:f",
          HeartbeatSeconds: 1,
          End: true,
        },
      },
    };
    const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
    history.push(...((await decide(def, history, t0, info)).append?.events ?? []));
    const later = await decide(def, history, t0 + 60_000, info);
    expect(later.append).toBeUndefined();
    expect(later.effects.map((e) => e.kind)).toEqual(["invoke"]);
  });
});

describe("states:startExecution.waitForTaskToken", () => {
  it("starts the child and waits for the token rather than for the start", async () => {
    const def: Definition = {
      StartAt: "T",
      States: {
        T: {
          Type: "Task",
          Resource: "arn:aws:states:::states:startExecution.waitForTaskToken",
          Parameters: {
            StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:child",
            Input: { "token.$": "$$.Task.Token" },
          },
          End: true,
        },
      },
    };
    const history: HistoryEvent[] = [executionStartedEvent({}, info.roleArn, t0)];
    history.push(...((await decide(def, history, t0, info)).append?.events ?? []));
    const effect = (await decide(def, history, t0, info)).effects[0] as StartExecutionEffect;
    expect(effect.kind).toBe("startExecution");
    expect(effect.waitForCompletion).toBe(false);
    expect(effect.taskToken).toBe((effect.input as { token: string }).token);
  });
});
