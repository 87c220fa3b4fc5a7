// The retention purge: executions ended longer ago than the retention go with their
// histories; recently ended and running ones, however old, stay.
import { describe, expect, it } from "vitest";
import { startHistoryPurge } from "./history-purge.js";
import { MemoryExecutionStore } from "./memory-execution-store.js";
import { executionStartedEvent } from "./outcome-events.js";

const HOUR = 3_600_000;
const MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

describe("history purge", () => {
  it("deletes executions ended before the retention, and nothing running", async () => {
    const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
    const store = new MemoryExecutionStore(clock);
    const start = async (name: string) => {
      const arn = `arn:aws:states:us-east-1:123456789012:execution:m:${name}`;
      const started = executionStartedEvent({}, "r", clock.now);
      await store.create({
        arn,
        accountId: "123456789012",
        machineArn: MACHINE,
        name,
        revision: 1,
        input: "{}",
        started,
      });
      return arn;
    };
    const end = (arn: string) =>
      store.append(
        arn,
        1,
        [{ id: 2, previousEventId: 1, timestamp: new Date(clock.now).toISOString(), type: "ExecutionAborted" }],
        false,
      );
    const old = await start("old");
    const running = await start("running");
    await end(old);
    clock.now += 10 * HOUR;
    const recent = await start("recent");
    await end(recent);
    clock.now += HOUR;
    const purge = startHistoryPurge(
      store,
      { retentionMs: 5 * HOUR, now: () => clock.now, intervalMs: 3_600_000 },
      {
        info: () => undefined,
        warn: () => undefined,
      },
    );
    await purge.stop();
    // Stopped before its first (timer) round: one round by hand.
    expect(await purge.round()).toBe(1);
    expect(await store.get(old)).toBeUndefined();
    expect(await store.read(old)).toEqual([]);
    expect((await store.get(running))?.status).toBe("RUNNING");
    expect((await store.get(recent))?.status).toBe("ABORTED");
  });
});
