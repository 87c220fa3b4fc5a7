import { describe, expect, it } from "vitest";
import { createActivityRecord } from "./worker-activity.js";

describe("createActivityRecord", () => {
  it("counts running jobs, dates each start and end, and settles idle() once none runs", async () => {
    let t = 1_000;
    const record = createActivityRecord(() => t);
    expect(record.busy()).toBe(0);
    expect(record.lastActivityAt()).toBe(1_000);
    await record.idle();

    t = 2_000;
    const a = record.activity.started();
    t = 3_000;
    const b = record.activity.started();
    expect(record.busy()).toBe(2);
    expect(record.lastActivityAt()).toBe(3_000);
    let idle = false;
    const waiting = record.idle().then(() => {
      idle = true;
    });
    t = 4_000;
    a();
    a(); // a second call for the same job changes nothing
    await Promise.resolve();
    expect(record.busy()).toBe(1);
    expect(record.lastActivityAt()).toBe(4_000);
    expect(idle).toBe(false);
    t = 5_000;
    b();
    await waiting;
    expect(record.busy()).toBe(0);
    expect(record.lastActivityAt()).toBe(5_000);
  });
});
