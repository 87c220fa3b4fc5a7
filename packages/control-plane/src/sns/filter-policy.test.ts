import { describe, expect, it } from "vitest";
import { attributeView, parseFilterPolicy, passes } from "./filter-policy.js";

const str = (StringValue: string) => ({ DataType: "String", StringValue });
const num = (StringValue: string) => ({ DataType: "Number", StringValue });

describe("filter policies on message attributes", () => {
  const policy = parseFilterPolicy(
    JSON.stringify({
      store: ["example_corp"],
      event: [{ "anything-but": "order_cancelled" }],
      price_usd: [{ numeric: [">=", 100] }],
      customer_interests: ["rugby", "football"],
    }),
    "MessageAttributes",
  );
  const message = (over: Record<string, { DataType: string; StringValue: string }>) => ({
    body: "x",
    attributes: {
      store: str("example_corp"),
      event: str("order_placed"),
      price_usd: num("210.75"),
      customer_interests: { DataType: "String.Array", StringValue: '["soccer", "rugby"]' },
      ...over,
    },
  });

  it("passes a message every key of the policy matches (an array attribute by any element)", () => {
    expect(passes(policy, "MessageAttributes", message({}))).toBe(true);
  });

  it("refuses one a key fails, or that lacks a key", () => {
    expect(passes(policy, "MessageAttributes", message({ event: str("order_cancelled") }))).toBe(false);
    expect(passes(policy, "MessageAttributes", message({ price_usd: num("99.5") }))).toBe(false);
    // A number given as a String attribute is no number to a numeric condition.
    expect(passes(policy, "MessageAttributes", message({ price_usd: str("210") }))).toBe(false);
    const { store: _, ...rest } = message({}).attributes;
    expect(passes(policy, "MessageAttributes", { body: "x", attributes: rest })).toBe(false);
  });

  it("passes everything with an empty policy, and sees no Binary attribute", () => {
    expect(passes(parseFilterPolicy("{}", "MessageAttributes"), "MessageAttributes", message({}))).toBe(true);
    expect(attributeView({ b: { DataType: "Binary", BinaryValue: "AAE=" }, n: num("3") })).toEqual({ n: 3 });
  });

  it("matches prefix, exists and $or", () => {
    const p = parseFilterPolicy(
      JSON.stringify({ $or: [{ source: [{ prefix: "shop-" }] }, { urgent: [{ exists: true }] }] }),
      "MessageAttributes",
    );
    expect(passes(p, "MessageAttributes", { body: "", attributes: { source: str("shop-eu") } })).toBe(true);
    expect(passes(p, "MessageAttributes", { body: "", attributes: { urgent: str("yes") } })).toBe(true);
    expect(passes(p, "MessageAttributes", { body: "", attributes: { source: str("warehouse") } })).toBe(false);
  });
});

describe("filter policies on the message body", () => {
  const policy = parseFilterPolicy(JSON.stringify({ order: { total: [{ numeric: [">", 100] }] } }), "MessageBody");

  it("matches nested keys of a JSON body, and no body that is not a JSON object", () => {
    expect(passes(policy, "MessageBody", { body: '{"order":{"total":250}}', attributes: {} })).toBe(true);
    expect(passes(policy, "MessageBody", { body: '{"order":{"total":5}}', attributes: {} })).toBe(false);
    expect(passes(policy, "MessageBody", { body: "not json", attributes: {} })).toBe(false);
    expect(passes(policy, "MessageBody", { body: "[1]", attributes: {} })).toBe(false);
  });
});

describe("checking a policy", () => {
  const refused =
    (policy: unknown, scope: "MessageAttributes" | "MessageBody" = "MessageAttributes") =>
    () =>
      parseFilterPolicy(typeof policy === "string" ? policy : JSON.stringify(policy), scope);

  it("refuses what SNS refuses, with SNS's InvalidParameter", () => {
    expect(refused("{nope")).toThrow(/Invalid parameter: Filter policy: .*JSON/);
    expect(refused({ a: { b: ["x"] } })).toThrow(/nested keys need FilterPolicyScope MessageBody/);
    expect(refused({ a: [{ wildcard: "x*" }] })).toThrow(/wildcard/);
    expect(refused({ a: "x" })).toThrow(/Filter policy/);
    // 6 × 6 × 6 = 216 combinations, over SNS's 150.
    const six = ["1", "2", "3", "4", "5", "6"];
    expect(refused({ a: six, b: six, c: six })).toThrow(/more than 150 combinations/);
    expect(() => parseFilterPolicy(JSON.stringify({ a: six, b: six }), "MessageAttributes")).not.toThrow();
  });
});
