import { describe, expect, it } from "vitest";
import { contentDedupId } from "../sqs/fifo-input.js";
import { checkFifoAttribute, checkFifoTopic, fifoIds } from "./fifo-topics.js";
import { envelope } from "./notification.js";
import { checkAttribute } from "./topic-ops.js";

describe("a FIFO topic's creation and attributes", () => {
  it("needs a .fifo name and FifoTopic true together", () => {
    expect(() => checkFifoTopic("orders.fifo", "true")).not.toThrow();
    expect(() => checkFifoTopic("orders", undefined)).not.toThrow();
    expect(() => checkFifoTopic("orders", "false")).not.toThrow();
    expect(() => checkFifoTopic("orders.fifo", undefined)).toThrow(/Fifo Topic names must end with .fifo/);
    expect(() => checkFifoTopic("orders", "true")).toThrow(/Fifo Topic names must end with .fifo/);
    expect(() => checkFifoTopic("orders.fifo", "yes")).toThrow(/FifoTopic must be true or false/);
  });

  it("keeps ContentBasedDeduplication true, and the defaults as nothing", () => {
    expect(checkFifoAttribute("ContentBasedDeduplication", "true", true)).toBe("true");
    expect(checkFifoAttribute("ContentBasedDeduplication", "false", true)).toBeUndefined();
    expect(checkFifoAttribute("FifoThroughputScope", "Topic", true)).toBeUndefined();
    expect(checkAttribute("FifoTopic", "true", true)).toBeUndefined();
    expect(checkAttribute("ContentBasedDeduplication", "false")).toBeUndefined();
  });

  it("refuses FIFO attributes on a standard topic, a change of type, and MessageGroup throughput by name", () => {
    expect(() => checkAttribute("ContentBasedDeduplication", "true")).toThrow(/FIFO topics only/);
    expect(() => checkAttribute("FifoThroughputScope", "Topic")).toThrow(/FIFO topics only/);
    expect(() => checkAttribute("FifoTopic", "false", true)).toThrow(/cannot be changed/);
    expect(() => checkAttribute("FifoTopic", "true")).toThrow(/cannot be changed/);
    expect(() => checkAttribute("FifoThroughputScope", "MessageGroup", true)).toThrow(
      /FifoThroughputScope MessageGroup is not supported by Stratus/,
    );
    expect(() => checkAttribute("ContentBasedDeduplication", "maybe", true)).toThrow(/true or false/);
  });
});

describe("a publish's FIFO ids", () => {
  const fifo = { fifo: true, contentBasedDeduplication: false };
  const content = { fifo: true, contentBasedDeduplication: true };
  const standard = { fifo: false, contentBasedDeduplication: false };

  it("needs a group, and a deduplication id unless the topic deduplicates by content", () => {
    expect(fifoIds({ MessageGroupId: "g", MessageDeduplicationId: "d" }, "m", fifo)).toEqual({
      groupId: "g",
      dedupId: "d",
    });
    expect(() => fifoIds({ MessageDeduplicationId: "d" }, "m", fifo)).toThrow(
      /The MessageGroupId parameter is required for FIFO topics/,
    );
    expect(() => fifoIds({ MessageGroupId: "g" }, "m", fifo)).toThrow(/ContentBasedDeduplication enabled/);
    expect(() => fifoIds({ MessageGroupId: "g b", MessageDeduplicationId: "d" }, "m", fifo)).toThrow(
      /MessageGroupId Reason/,
    );
  });

  it("takes the message's SHA-256 as the id with content-based deduplication (a given id wins)", () => {
    expect(fifoIds({ MessageGroupId: "g" }, "hello", content)).toEqual({
      groupId: "g",
      dedupId: contentDedupId("hello"),
    });
    expect(contentDedupId("hello")).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(fifoIds({ MessageGroupId: "g", MessageDeduplicationId: "x" }, "hello", content)?.dedupId).toBe("x");
  });

  it("gives a standard topic none, and refuses its ids", () => {
    expect(fifoIds({}, "m", standard)).toBeUndefined();
    expect(() => fifoIds({ MessageDeduplicationId: "d" }, "m", standard)).toThrow(/not valid for this topic type/);
    expect(() => fifoIds({ MessageGroupId: "g" }, "m", standard)).toThrow(
      /MessageGroupId on a standard topic \(SQS fair queues\) is not supported by Stratus/,
    );
  });
});

describe("a FIFO topic's envelope", () => {
  it("carries the topic's SequenceNumber after the MessageId", () => {
    const body = envelope(
      {
        messageId: "m-1",
        topicArn: "arn:aws:sns:us-east-1:000000000000:t.fifo",
        message: () => "hi",
        attributes: {},
        timestamp: new Date(0),
        fifo: { groupId: "g", dedupId: "d", sequenceNumber: "10000000000000000001" },
      },
      "sqs",
    );
    expect(Object.keys(JSON.parse(body))).toEqual([
      "Type",
      "MessageId",
      "SequenceNumber",
      "TopicArn",
      "Message",
      "Timestamp",
    ]);
    expect(JSON.parse(body).SequenceNumber).toBe("10000000000000000001");
  });
});
