// A scheduled rule's firing, decided without I/O: one invocation per target and tick,
// ids derived from (incarnation, target, tick), ticks too old for a target skipped,
// rate() counted from the rule's creation.
import { describe, expect, it } from "vitest";
import type { Rule } from "../store/event-store.js";
import { firstRuleFire, planRuleFiring } from "./rule-firing.js";

const created = new Date("2026-12-04T10:00:30Z");
const rule = (over: Partial<Rule> = {}): Rule => ({
  accountId: "123456789012",
  busName: "default",
  name: "tick",
  incarnation: "8d0e3c4a-0000-4000-8000-000000000001",
  scheduleExpression: "rate(1 minute)",
  state: "ENABLED",
  tags: {},
  targets: [
    { Id: "a", Arn: "arn:aws:lambda:us-east-1:123456789012:function:f" },
    { Id: "b", Arn: "arn:aws:lambda:us-east-1:123456789012:function:g:live", Input: '{"fixed":1}' },
  ],
  anchor: created,
  nextFireAt: new Date("2026-12-04T10:01:30Z"),
  createdAt: created,
  ...over,
});

describe("scheduled rules", () => {
  it("first fire one interval after creation, from the creation's anchor", () => {
    expect(firstRuleFire("rate(1 minute)", created, created)?.toISOString()).toBe("2026-12-04T10:01:30.000Z");
    expect(firstRuleFire("rate(5 minutes)", created, new Date("2026-12-04T10:07:00Z"))?.toISOString()).toBe(
      "2026-12-04T10:10:30.000Z",
    );
    expect(firstRuleFire("cron(0 12 * * ? *)", created, created)?.toISOString()).toBe("2026-12-04T12:00:00.000Z");
  });

  it("writes each due tick once per target, with the Scheduled Event or the target's Input", () => {
    const plan = planRuleFiring(rule(), new Date("2026-12-04T10:02:45Z"), "us-east-1");
    expect(plan.ticks.map((t) => t.toISOString())).toEqual(["2026-12-04T10:01:30.000Z", "2026-12-04T10:02:30.000Z"]);
    expect(plan.next?.toISOString()).toBe("2026-12-04T10:03:30.000Z");
    expect(plan.invocations.map((i) => [i.functionName, i.qualifier, i.maxAttempts, i.maxEventAgeSeconds])).toEqual([
      ["f", undefined, 186, 86_400],
      ["g", "live", 186, 86_400],
      ["f", undefined, 186, 86_400],
      ["g", "live", 186, 86_400],
    ]);
    const event = JSON.parse(plan.invocations[0]?.payload.toString() ?? "");
    expect(event).toMatchObject({
      version: "0",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2026-12-04T10:01:30Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:123456789012:rule/tick"],
      detail: {},
    });
    expect(plan.invocations[1]?.payload.toString()).toBe('{"fixed":1}');
    // Planned again (a second control plane, a retry after a crash): the same ids.
    const again = planRuleFiring(rule(), new Date("2026-12-04T10:02:45Z"), "us-east-1");
    expect(again.invocations.map((i) => i.id)).toEqual(plan.invocations.map((i) => i.id));
    expect(new Set(plan.invocations.map((i) => i.id)).size).toBe(4);
    // Another life of the rule fires anew.
    const reborn = planRuleFiring(
      rule({ incarnation: "8d0e3c4a-0000-4000-8000-000000000002" }),
      new Date("2026-12-04T10:02:45Z"),
      "us-east-1",
    );
    expect(reborn.invocations.some((i) => plan.invocations.some((p) => p.id === i.id))).toBe(false);
  });

  it("skips ticks older than a target's maximum event age, for that target", () => {
    const r = rule({
      targets: [
        {
          Id: "short",
          Arn: "arn:aws:lambda:us-east-1:123456789012:function:f",
          RetryPolicy: { MaximumEventAgeInSeconds: 60 },
        },
        { Id: "long", Arn: "arn:aws:lambda:us-east-1:123456789012:function:g" },
      ],
    });
    const plan = planRuleFiring(r, new Date("2026-12-04T10:03:00Z"), "us-east-1");
    // 10:01:30 is 90 s old: too old for "short"; 10:02:30 is not.
    expect(plan.skipped).toBe(1);
    expect(plan.invocations.map((i) => i.functionName)).toEqual(["g", "f", "g"]);
  });

  it("fires at most ten ticks a claim", () => {
    const plan = planRuleFiring(rule({ targets: [] }), new Date("2026-12-04T11:00:00Z"), "us-east-1");
    expect(plan.ticks).toHaveLength(10);
    expect(plan.next?.toISOString()).toBe("2026-12-04T10:11:30.000Z");
  });

  it("writes a queue target's ticks as messages, its dead letter ready for a queue that is gone", () => {
    const queue = "arn:aws:sqs:us-east-1:123456789012:ticks";
    const dlq = "arn:aws:sqs:us-east-1:123456789012:dlq";
    const plan = planRuleFiring(
      rule({ targets: [{ Id: "q", Arn: queue, DeadLetterConfig: { Arn: dlq } }] }),
      new Date("2026-12-04T10:02:45Z"),
      "us-east-1",
    );
    expect(plan.invocations).toEqual([]);
    expect(plan.letters.map((l) => l.letter.queueName)).toEqual(["ticks", "ticks"]);
    expect(JSON.parse(plan.letters[0]?.letter.body as string)).toMatchObject({
      "detail-type": "Scheduled Event",
      time: "2026-12-04T10:01:30Z",
    });
    expect(plan.letters[0]?.orElse).toMatchObject({ queueName: "dlq", body: plan.letters[0]?.letter.body });
    expect(plan.letters[0]?.orElse?.attributes.ERROR_CODE?.StringValue).toBe("RESOURCE_NOT_FOUND");
    // Another account's queue is no target: skipped, as a function that is not one is.
    const foreign = planRuleFiring(
      rule({ targets: [{ Id: "q", Arn: "arn:aws:sqs:us-east-1:999999999999:ticks" }] }),
      new Date("2026-12-04T10:02:45Z"),
      "us-east-1",
    );
    expect([foreign.letters.length, foreign.skipped]).toEqual([0, 2]);
  });

  it("starts a state machine target's execution per tick, named by the tick's delivery id", () => {
    const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:nightly";
    const now = new Date("2026-12-04T10:02:45Z");
    const plan = planRuleFiring(rule({ targets: [{ Id: "m", Arn: machine, RoleArn: "r" }] }), now, "us-east-1");
    expect(plan.invocations).toEqual([]);
    expect(plan.starts?.map((s) => [s.machineArn, s.accountId])).toEqual([
      [machine, "123456789012"],
      [machine, "123456789012"],
    ]);
    expect(JSON.parse(plan.starts?.[0]?.input as string)).toMatchObject({ "detail-type": "Scheduled Event" });
    // The same ticks claimed again name the same executions.
    const again = planRuleFiring(rule({ targets: [{ Id: "m", Arn: machine, RoleArn: "r" }] }), now, "us-east-1");
    expect(again.starts?.map((s) => s.id)).toEqual(plan.starts?.map((s) => s.id));
    const foreign = planRuleFiring(
      rule({ targets: [{ Id: "m", Arn: machine.replace("123456789012", "999999999999"), RoleArn: "r" }] }),
      now,
      "us-east-1",
    );
    expect([foreign.starts?.length, foreign.skipped]).toEqual([0, 2]);
  });
});
