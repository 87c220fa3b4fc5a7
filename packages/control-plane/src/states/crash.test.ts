// The engine under a driver that dies: decisions lost before their append, effects
// lost after it, results delivered twice. Whatever the interleaving, re-deciding from
// the history must finish every execution with the output a clean run gives.
import { describe, expect, it } from "vitest";
import { decide } from "./engine.js";
import { MemoryDriver } from "./memory-driver.js";
import { executionStartedEvent, outcomeEvent, type TaskOutcome } from "./outcome-events.js";
import { seededRandom } from "./rng.js";
import type { Definition, HistoryEvent, Json } from "./types.js";

const info = {
  executionArn: "arn:aws:states:us-east-1:123456789012:execution:m:crashy",
  name: "crashy",
  stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
  stateMachineName: "m",
  roleArn: "arn:aws:iam::123456789012:role/r",
};
const fn = "arn:aws:lambda:us-east-1:123456789012:function:work";
// The fault-test machine: a Map of Lambda tasks, a Wait and a Retry.
const machine: Definition = {
  StartAt: "Fan",
  States: {
    Fan: {
      Type: "Map",
      ItemsPath: "$.items",
      MaxConcurrency: 2,
      ItemProcessor: {
        StartAt: "Work",
        States: {
          Work: {
            Type: "Task",
            Resource: fn,
            Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 1, MaxAttempts: 3 }],
            End: true,
          },
        },
      },
      ResultPath: "$.results",
      Next: "Pause",
    },
    Pause: { Type: "Wait", Seconds: 30, Next: "Sum" },
    Sum: { Type: "Pass", Parameters: { "n.$": "States.ArrayLength($.results)", "results.$": "$.results" }, End: true },
  },
};
const input = { items: [1, 2, 3, 4, 5] };
/** Fails the first attempt of odd items, doubles the rest: a function of (item, attempt) so any run agrees. */
const work = (item: number, attempt: number): TaskOutcome =>
  item % 2 === 1 && attempt === 0
    ? { ok: false, error: "Flaky", cause: `item ${item}` }
    : { ok: true, value: item * 2 };

async function crashyRun(seed: string) {
  const random = seededRandom(seed);
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  let clock = t0;
  const history: HistoryEvent[] = [executionStartedEvent(input, info.roleArn, clock)];
  const performed = new Map<string, TaskOutcome>();
  let deliveries = 0;
  for (let round = 0; round < 2000; round++) {
    const d = await decide(machine, history, clock, info);
    if (d.append) {
      if (random() < 0.3) continue; // died before appending: the decision is lost
      expect(d.append.expectedLength).toBe(history.length);
      history.push(...d.append.events);
      if (d.status !== "RUNNING") return { status: d.status, history, performed, deliveries };
      if (random() < 0.3) continue; // died after appending, before the effects
    }
    let acted = !!d.append;
    for (const e of d.effects) {
      if (e.kind !== "invoke") continue;
      const attempt = Number(e.idempotencyKey.split("/").at(-1));
      const outcome = performed.get(e.idempotencyKey) ?? work(e.payload as number, attempt);
      performed.set(e.idempotencyKey, outcome);
      const copies = random() < 0.2 ? 2 : 1; // a result delivered twice
      for (let i = 0; i < copies; i++) history.push(outcomeEvent(history, e, outcome, clock));
      deliveries += copies;
      acted = true;
    }
    if (!acted) clock = Math.min(...d.effects.filter((e) => e.kind === "timer").map((e) => e.fireAt));
  }
  throw new Error("did not finish");
}

describe("a driver that keeps dying", () => {
  it.each(Array.from({ length: 12 }, (_, i) => [`seed-${i}`]))("finishes as a clean run does (%s)", async (seed) => {
    const attempts = new Map<Json, number>();
    const once = (p: Json) => {
      const attempt = attempts.get(p) ?? 0;
      attempts.set(p, attempt + 1);
      return work(p as number, attempt);
    };
    const clean = await new MemoryDriver(machine, info, { functions: { work: once } }).run(input);
    const r = await crashyRun(seed);
    expect(r.status).toBe("SUCCEEDED");
    const end = r.history.at(-1) as HistoryEvent;
    const output = JSON.parse((end.executionSucceededEventDetails as { output: string }).output) as Json;
    expect(output).toEqual({ n: 5, results: [2, 4, 6, 8, 10] });
    expect(output).toEqual(clean.output);
    // One invocation per (item, attempt): 5 items, 3 of them retried once.
    expect(r.performed.size).toBe(8);
    expect(r.deliveries).toBeGreaterThanOrEqual(8);
    r.history.forEach((e, i) => {
      expect(e.id).toBe(i + 1);
      expect(e.previousEventId).toBeLessThan(e.id);
    });
  });
});
