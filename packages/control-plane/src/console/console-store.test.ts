import { describe, expect, it } from "vitest";
import { groupRuleTargets, namesFunction, type RuleTargetRow, snsBindingsOf } from "./console-store.js";

const ACCOUNT = "123456789012";
const arn = (name: string, account = ACCOUNT) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;
const row = (bus: string, name: string, id: string, targetArn: string, more: Partial<RuleTargetRow> = {}) => ({
  bus_name: bus,
  name,
  state: "ENABLED",
  schedule_expression: null,
  event_pattern: null,
  target_id: id,
  target_arn: targetArn,
  ...more,
});

describe("the rules that target a function", () => {
  it.each([
    [arn("orders"), true],
    [`${arn("orders")}:live`, true],
    [`${arn("orders")}:7`, true],
    [arn("orders-v2"), false],
    [arn("my_orders"), false],
    [arn("orders", "210987654321"), false],
    ["arn:aws:sqs:us-east-1:123456789012:function:orders", false],
    [`${arn("orders")}:live:extra`, false],
  ])("%s names orders of the account: %s", (a, yes) => {
    expect(namesFunction(a, ACCOUNT, "orders")).toBe(yes);
  });

  it("groups each bus's rule with its targets on the function, and leaves the others out", () => {
    const rows = [
      row("billing", "paid", "a", arn("orders"), { event_pattern: '{"source":["billing"]}' }),
      row("billing", "paid", "b", arn("orders-v2")),
      row("billing", "paid", "c", `${arn("orders")}:live`),
      row("default", "hourly", "fn", arn("orders"), { schedule_expression: "rate(1 hour)", state: "DISABLED" }),
      row("default", "other", "x", arn("orders-v2")),
      row("shipping", "hourly", "fn", arn("orders")),
    ];
    expect(groupRuleTargets(rows, ACCOUNT, "orders")).toEqual([
      {
        bus: "billing",
        name: "paid",
        state: "ENABLED",
        eventPattern: '{"source":["billing"]}',
        targets: [
          { id: "a", arn: arn("orders") },
          { id: "c", arn: `${arn("orders")}:live` },
        ],
      },
      {
        bus: "default",
        name: "hourly",
        state: "DISABLED",
        scheduleExpression: "rate(1 hour)",
        targets: [{ id: "fn", arn: arn("orders") }],
      },
      { bus: "shipping", name: "hourly", state: "ENABLED", targets: [{ id: "fn", arn: arn("orders") }] },
    ]);
  });
});

describe("the SNS subscriptions to a function", () => {
  const sub = (
    id: string,
    topic: string,
    endpoint: string,
    policy: string | null = null,
    scope: string | null = null,
  ) => ({
    id,
    topic_name: topic,
    endpoint,
    filter_policy: policy,
    filter_policy_scope: scope,
  });

  it("keeps those whose endpoint is the function, any qualifier, with their filter policy", () => {
    const rows = [
      sub("1", "alerts", arn("orders"), '{"kind":["paid"]}', "MessageBody"),
      sub("2", "alerts", arn("orders-v2")),
      sub("3", "billing", `${arn("orders")}:live`, '{"a":["b"]}'),
      sub("4", "billing", arn("orders", "210987654321")),
      sub("5", "shipping", arn("orders"), null, "MessageBody"),
    ];
    expect(snsBindingsOf(rows, ACCOUNT, "orders")).toEqual([
      {
        id: "1",
        topicName: "alerts",
        endpoint: arn("orders"),
        filterPolicy: '{"kind":["paid"]}',
        filterPolicyScope: "MessageBody",
      },
      { id: "3", topicName: "billing", endpoint: `${arn("orders")}:live`, filterPolicy: '{"a":["b"]}' },
      { id: "5", topicName: "shipping", endpoint: arn("orders") },
    ]);
  });
});
