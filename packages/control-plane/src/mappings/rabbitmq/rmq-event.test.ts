import { describe, expect, it } from "vitest";
import { headerValue, rmqEntry, rmqEvent, rmqFilterView } from "./rmq-event.js";

const ARN = "arn:aws:mq:us-east-1:123456789012:broker:main:b-1234";

describe("rmq event", () => {
  it("builds Lambda's rmqMessagesByQueue event", () => {
    const content = Buffer.from('{"n":1}');
    const entry = rmqEntry({
      properties: {
        contentType: "application/json",
        headers: { h: "v1", n: 10 },
        deliveryMode: 2,
        timestamp: 2021,
      },
      redelivered: false,
      content,
    });
    expect(rmqEvent(ARN, "orders", "/", [entry])).toEqual({
      eventSource: "aws:rmq",
      eventSourceArn: ARN,
      rmqMessagesByQueue: {
        "orders::/": [
          {
            basicProperties: {
              contentType: "application/json",
              contentEncoding: null,
              headers: { h: { bytes: [118, 49] }, n: 10 },
              deliveryMode: 2,
              priority: null,
              correlationId: null,
              replyTo: null,
              expiration: null,
              messageId: null,
              timestamp: "Jan 1, 1970, 12:33:41 AM",
              type: null,
              userId: null,
              appId: null,
              clusterId: null,
              bodySize: 7,
            },
            redelivered: false,
            data: content.toString("base64"),
          },
        ],
      },
    });
  });

  it.each([
    ["a string", "ab", { bytes: [97, 98] }],
    ["bytes", Buffer.from([1, 2]), { bytes: [1, 2] }],
    ["a number", 5, 5],
    ["a boolean", true, true],
    ["a table", { a: "x", b: [1, "y"] }, { a: { bytes: [120] }, b: [1, { bytes: [121] }] }],
    ["undefined", undefined, null],
  ])("renders a header holding %s", (_what, v, expected) => {
    expect(headerValue(v)).toEqual(expected);
  });

  it("filters see JSON data parsed, other data as text", () => {
    const json = Buffer.from('{"kind":"a"}');
    expect(rmqFilterView(rmqEntry({ properties: {}, redelivered: true, content: json }), json)).toMatchObject({
      data: { kind: "a" },
      redelivered: true,
    });
    const text = Buffer.from("plain");
    expect(rmqFilterView(rmqEntry({ properties: {}, redelivered: false, content: text }), text).data).toBe("plain");
  });
});
