// What firing a due schedule writes: one invocation per tick due, ids derived from the
// tick (the same on every control plane), Input's placeholders filled, ticks too old
// skipped, and what becomes of the schedule afterwards.
import { describe, expect, it } from "vitest";
import type { Schedule } from "../store/schedule-store.js";
import { derivedUuid, firstFire, planFiring } from "./firing.js";

const created = new Date("2026-12-04T16:00:00Z");
const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  accountId: "123456789012",
  groupName: "default",
  name: "nightly",
  incarnation: "11111111-1111-4111-8111-111111111111",
  expression: "rate(1 minute)",
  timezone: "UTC",
  state: "ENABLED",
  flexibleWindow: { Mode: "OFF" },
  target: { Arn: "arn:aws:lambda:us-east-1:123456789012:function:work", RoleArn: "arn:aws:iam::123456789012:role/r" },
  actionAfterCompletion: "NONE",
  anchor: created,
  nextFireAt: new Date("2026-12-04T16:01:00Z"),
  createdAt: created,
  lastModified: created,
  ...over,
});

describe("firing a due schedule", () => {
  it("writes each tick due by now once, with ids every control plane derives alike", () => {
    const now = new Date("2026-12-04T16:03:30Z");
    const plan = planFiring(schedule(), now, "us-east-1");
    expect(plan.ticks.map((t) => t.toISOString())).toEqual([
      "2026-12-04T16:01:00.000Z",
      "2026-12-04T16:02:00.000Z",
      "2026-12-04T16:03:00.000Z",
    ]);
    expect(plan.next?.toISOString()).toBe("2026-12-04T16:04:00.000Z");
    expect(plan.invocations.map((i) => i.id)).toEqual(
      planFiring(schedule(), now, "us-east-1").invocations.map((i) => i.id),
    );
    expect(new Set(plan.invocations.map((i) => i.id)).size).toBe(3);
    expect(plan.invocations[0]).toMatchObject({ functionName: "work", accountId: "123456789012", maxAttempts: 186 });
    // Another life of the same name fires under other ids.
    const again = planFiring(schedule({ incarnation: "22222222-2222-4222-8222-222222222222" }), now, "us-east-1");
    expect(again.invocations[0]?.id).not.toBe(plan.invocations[0]?.id);
  });

  it("fills Scheduler's placeholders in Input, and sends {} without one", () => {
    const input =
      '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","id":"<aws.scheduler.execution-id>","n":<aws.scheduler.attempt-number>}';
    const s = schedule({ target: { ...schedule().target, Input: input } });
    const [inv] = planFiring(s, new Date("2026-12-04T16:01:05Z"), "us-east-1").invocations;
    expect(JSON.parse(inv?.payload.toString() ?? "")).toEqual({
      arn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly",
      at: "2026-12-04T16:01:00Z",
      id: inv?.id,
      n: 1,
    });
    const [plain] = planFiring(schedule(), new Date("2026-12-04T16:01:05Z"), "us-east-1").invocations;
    expect(plain?.payload.toString()).toBe("{}");
  });

  it("skips ticks older than the target's maximum event age, counting them", () => {
    const s = schedule({ target: { ...schedule().target, RetryPolicy: { MaximumEventAgeInSeconds: 90 } } });
    const plan = planFiring(s, new Date("2026-12-04T16:03:30Z"), "us-east-1");
    expect(plan.skipped).toBe(1);
    expect(plan.ticks.map((t) => t.toISOString())).toEqual(["2026-12-04T16:02:00.000Z", "2026-12-04T16:03:00.000Z"]);
  });

  it("stops at EndDate, and deletes a finished schedule only when asked to", () => {
    const end = new Date("2026-12-04T16:02:00Z");
    const now = new Date("2026-12-04T16:05:00Z");
    const kept = planFiring(schedule({ endDate: end }), now, "us-east-1");
    expect(kept.ticks).toHaveLength(2);
    expect(kept.next).toBeUndefined();
    expect(kept.remove).toBe(false);
    expect(planFiring(schedule({ endDate: end, actionAfterCompletion: "DELETE" }), now, "us-east-1").remove).toBe(true);
  });

  it("fires an at() once", () => {
    const s = schedule({ expression: "at(2026-12-04T16:01:00)", nextFireAt: new Date("2026-12-04T16:01:00Z") });
    const plan = planFiring(s, new Date("2026-12-04T16:01:00.5Z"), "us-east-1");
    expect(plan.ticks).toHaveLength(1);
    expect(plan.next).toBeUndefined();
  });

  it("first fires a rate one interval after creation, or at its StartDate; a cron at its next minute", () => {
    expect(firstFire(schedule(), created)?.toISOString()).toBe("2026-12-04T16:01:00.000Z");
    const start = new Date("2026-12-06T00:00:00Z");
    expect(firstFire(schedule({ startDate: start, anchor: start }), created)?.toISOString()).toBe(start.toISOString());
    expect(firstFire(schedule({ expression: "cron(0 9 * * ? *)" }), created)?.toISOString()).toBe(
      "2026-12-05T09:00:00.000Z",
    );
  });

  it("derives UUIDs of the right form", () => {
    expect(derivedUuid("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("writes a queue target's ticks as messages with Input's placeholders filled", () => {
    const target = {
      Arn: "arn:aws:sqs:us-east-1:123456789012:ticks",
      RoleArn: "r",
      Input: '{"at":"<aws.scheduler.scheduled-time>"}',
    };
    const plan = planFiring(schedule({ target }), new Date("2026-12-04T16:02:30Z"), "us-east-1");
    expect(plan.invocations).toEqual([]);
    expect(plan.letters.map((l) => [l.letter.queueName, l.letter.body, l.orElse])).toEqual([
      ["ticks", '{"at":"2026-12-04T16:01:00Z"}', undefined],
      ["ticks", '{"at":"2026-12-04T16:02:00Z"}', undefined],
    ]);
    expect(plan.ticks).toHaveLength(2);
  });

  it("starts a state machine target's execution per tick, with Input's placeholders filled", () => {
    const target = {
      Arn: "arn:aws:states:us-east-1:123456789012:stateMachine:m",
      RoleArn: "r",
      Input: '{"at":"<aws.scheduler.scheduled-time>"}',
    };
    const plan = planFiring(schedule({ target }), new Date("2026-12-04T16:01:30Z"), "us-east-1");
    expect(plan.starts).toEqual([
      {
        id: expect.any(String),
        accountId: "123456789012",
        machineArn: target.Arn,
        input: '{"at":"2026-12-04T16:01:00Z"}',
      },
    ]);
    expect([plan.invocations.length, plan.letters.length]).toEqual([0, 0]);
  });
});
