import { describe, expect, it } from "vitest";
import { DEFAULT_FIFO } from "./fifo-attributes.js";
import { contentDedupId, fifoParams } from "./fifo-input.js";
import { type Accepted, dedupKey, dedupScope, planSend, sequenceNumber } from "./fifo-sends.js";
import { newMessage } from "./message-input.js";
import { applyAttributes, attributeStrings, createSettings, sameSettings } from "./queue-attributes.js";
import { parseQueueArn, queueFromUrl, queueName } from "./queue-names.js";
import { createQueueRefs } from "./queue-refs.js";
import type { Queue } from "./queue-store.js";
import { createTaskMessages } from "./task-messages.js";

const ACCOUNT = "123456789012";
const CONTENT = { ...DEFAULT_FIFO, contentBasedDeduplication: true };

describe("FIFO queue names", () => {
  it("takes a .fifo name only for a FIFO queue, and a standard name only for a standard one", () => {
    expect(queueName("jobs.fifo", true)).toBe("jobs.fifo");
    expect(queueName("jobs", false)).toBe("jobs");
    expect(() => queueName("jobs", true)).toThrow(
      expect.objectContaining({ code: "InvalidParameterValue", message: expect.stringMatching(/must end with .fifo/) }),
    );
    expect(() => queueName("jobs.fifo")).toThrow(
      expect.objectContaining({ code: "InvalidParameterValue", message: expect.stringMatching(/FifoQueue=true/) }),
    );
    expect(queueName(`${"a".repeat(75)}.fifo`, true)).toHaveLength(80);
    expect(() => queueName(`${"a".repeat(76)}.fifo`, true)).toThrow(/must end with .fifo/);
    expect(() => queueName("a.b.fifo", true)).toThrow(/must end with .fifo/);
  });
  it("reads .fifo names in URLs and ARNs", () => {
    expect(queueFromUrl(`http://h:9000/${ACCOUNT}/jobs.fifo`, ACCOUNT)).toBe("jobs.fifo");
    expect(() => queueFromUrl(`http://h:9000/${ACCOUNT}/jobs.fifox`, ACCOUNT)).toThrow(
      expect.objectContaining({ code: "QueueDoesNotExist" }),
    );
    expect(parseQueueArn(`arn:aws:sqs:us-east-1:${ACCOUNT}:jobs.fifo`)).toEqual({
      region: "us-east-1",
      account: ACCOUNT,
      name: "jobs.fifo",
    });
    expect(parseQueueArn(`arn:aws:sqs:us-east-1:${ACCOUNT}:jobs.fif`)).toBeUndefined();
  });
});

describe("FIFO queue attributes", () => {
  it("makes a FIFO queue with FifoQueue=true, and answers its attributes", () => {
    const s = createSettings({ FifoQueue: "true", ContentBasedDeduplication: "true" });
    expect(s.fifo).toEqual({ ...DEFAULT_FIFO, contentBasedDeduplication: true });
    expect(attributeStrings(s)).toMatchObject({
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      DeduplicationScope: "queue",
      FifoThroughputLimit: "perQueue",
    });
    // Whichever order the attributes come in.
    const high = createSettings({
      FifoThroughputLimit: "perMessageGroupId",
      DeduplicationScope: "messageGroup",
      FifoQueue: "true",
    });
    expect(high.fifo).toEqual({
      contentBasedDeduplication: false,
      deduplicationScope: "messageGroup",
      fifoThroughputLimit: "perMessageGroupId",
    });
    expect(sameSettings(s, high)).toBe(false);
  });
  it("keeps a standard queue's attributes as they were", () => {
    const s = createSettings({ FifoQueue: "false", ContentBasedDeduplication: "false" });
    expect(s.fifo).toBeUndefined();
    expect(attributeStrings(s)).not.toHaveProperty("FifoQueue");
  });
  it("sets ContentBasedDeduplication and the scope later, never FifoQueue", () => {
    const fifo = createSettings({ FifoQueue: "true" });
    expect(applyAttributes(fifo, { ContentBasedDeduplication: "true" }).fifo?.contentBasedDeduplication).toBe(true);
    expect(applyAttributes(fifo, { FifoQueue: "true" })).toEqual(fifo);
    expect(() => applyAttributes(fifo, { FifoQueue: "false" })).toThrow(
      expect.objectContaining({ code: "InvalidAttributeName", message: expect.stringMatching(/cannot be changed/) }),
    );
    expect(() => applyAttributes(createSettings({}), { FifoQueue: "true" })).toThrow(/cannot be changed/);
  });
  it.each([
    [{ FifoQueue: "yes" }, "InvalidAttributeValue"],
    [{ FifoQueue: "true", ContentBasedDeduplication: "maybe" }, "InvalidAttributeValue"],
    [{ FifoQueue: "true", DeduplicationScope: "group" }, "InvalidAttributeValue"],
    [{ FifoQueue: "true", FifoThroughputLimit: "perGroup" }, "InvalidAttributeValue"],
    [{ FifoQueue: "true", FifoThroughputLimit: "perMessageGroupId" }, "InvalidAttributeValue"],
    [
      { FifoQueue: "true", FifoThroughputLimit: "perMessageGroupId", DeduplicationScope: "queue" },
      "InvalidAttributeValue",
    ],
    [{ ContentBasedDeduplication: "true" }, "InvalidAttributeName"],
    [{ DeduplicationScope: "queue" }, "InvalidAttributeName"],
    [{ FifoThroughputLimit: "perQueue" }, "InvalidAttributeName"],
  ])("refuses %j", (attrs, code) => {
    expect(() => createSettings(attrs)).toThrow(expect.objectContaining({ code }));
  });
  it("refuses a scope that perMessageGroupId cannot have, set later", () => {
    const high = createSettings({
      FifoQueue: "true",
      DeduplicationScope: "messageGroup",
      FifoThroughputLimit: "perMessageGroupId",
    });
    expect(() => applyAttributes(high, { DeduplicationScope: "queue" })).toThrow(/perMessageGroupId/);
    expect(applyAttributes(high, { DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" }).fifo).toMatchObject({
      deduplicationScope: "queue",
      fifoThroughputLimit: "perQueue",
    });
  });
});

describe("FIFO send parameters", () => {
  it.each([
    ["a standard queue, a group", undefined, { MessageGroupId: "g" }, "InvalidParameterValue"],
    ["a standard queue, a deduplication id", undefined, { MessageDeduplicationId: "d" }, "InvalidParameterValue"],
    ["no group", DEFAULT_FIFO, { MessageDeduplicationId: "d" }, "MissingParameter"],
    ["no deduplication id", DEFAULT_FIFO, { MessageGroupId: "g" }, "InvalidParameterValue"],
    ["a group with a space", CONTENT, { MessageGroupId: "a b" }, "InvalidParameterValue"],
    ["a group past 128", CONTENT, { MessageGroupId: "g".repeat(129) }, "InvalidParameterValue"],
    ["an empty group", CONTENT, { MessageGroupId: "" }, "InvalidParameterValue"],
    ["a group that is no string", CONTENT, { MessageGroupId: 7 }, "InvalidParameterValue"],
    ["a non-ASCII id", DEFAULT_FIFO, { MessageGroupId: "g", MessageDeduplicationId: "é" }, "InvalidParameterValue"],
    ["a message delay", CONTENT, { MessageGroupId: "g", DelaySeconds: 5 }, "InvalidParameterValue"],
    ["a message delay of 0", CONTENT, { MessageGroupId: "g", DelaySeconds: 0 }, "InvalidParameterValue"],
  ])("refuses %s", (_label, fifo, entry, code) => {
    expect(() => fifoParams(entry, fifo)).toThrow(expect.objectContaining({ code }));
  });
  it("takes the ids given, or the body's SHA-256 with content-based deduplication", () => {
    expect(fifoParams({}, undefined)).toBeUndefined();
    expect(fifoParams({ MessageGroupId: "g-1!", MessageDeduplicationId: "d:1" }, DEFAULT_FIFO)).toEqual({
      groupId: "g-1!",
      dedupId: "d:1",
    });
    expect(fifoParams({ MessageGroupId: "g".repeat(128) }, CONTENT)).toEqual({
      groupId: "g".repeat(128),
      dedupId: undefined,
    });
    expect(contentDedupId("hello")).toBe("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    expect(newMessage({ MessageBody: "hello", MessageGroupId: "g" }, 1024, CONTENT).fifo).toEqual({
      groupId: "g",
      dedupId: contentDedupId("hello"),
    });
    expect(
      newMessage({ MessageBody: "hello", MessageGroupId: "g", MessageDeduplicationId: "x" }, 1024, CONTENT).fifo,
    ).toEqual({ groupId: "g", dedupId: "x" });
    expect(newMessage({ MessageBody: "hello" }, 1024).fifo).toBeUndefined();
  });
});

describe("FIFO send plan", () => {
  const send = (scope: string, dedupId: string, messageId: string) => ({ scope, dedupId, messageId });
  it("numbers new messages after the queue's last, and answers a repeated id with the original", () => {
    const accepted = new Map<string, Accepted>([[dedupKey("", "old"), { messageId: "m0", sequence: 4 }]]);
    const plan = planSend(
      [send("", "a", "m1"), send("", "old", "m2"), send("", "b", "m3"), send("", "a", "m4")],
      accepted,
      7,
    );
    expect(plan.answers).toEqual([
      { messageId: "m1", sequence: 8, duplicate: false },
      { messageId: "m0", sequence: 4, duplicate: true },
      { messageId: "m3", sequence: 9, duplicate: false },
      { messageId: "m1", sequence: 8, duplicate: true },
    ]);
    expect(plan.fresh).toEqual([0, 2]);
    expect(plan.last).toBe(9);
  });
  it("counts a deduplication id in its group with the messageGroup scope", () => {
    const group = { ...DEFAULT_FIFO, deduplicationScope: "messageGroup" as const };
    expect(dedupScope(DEFAULT_FIFO, "g1")).toBe("");
    expect(dedupScope(group, "g1")).toBe("g1");
    const plan = planSend([send("g1", "same", "m1"), send("g2", "same", "m2"), send("g1", "same", "m3")], new Map(), 0);
    expect(plan.answers.map((a) => [a.messageId, a.sequence, a.duplicate])).toEqual([
      ["m1", 1, false],
      ["m2", 2, false],
      ["m1", 1, true],
    ]);
  });
  it("writes sequence numbers as SQS does: rising decimal strings of 20 digits", () => {
    expect(sequenceNumber(1)).toBe("10000000000000000001");
    expect(sequenceNumber(123_456_789)).toBe("10000000000123456789");
    expect(sequenceNumber(9) < sequenceNumber(10)).toBe(true);
  });
});

describe("writers without a group", () => {
  const queue = (name: string): Queue => ({
    id: "1",
    accountId: ACCOUNT,
    name,
    settings: name.endsWith(".fifo") ? createSettings({ FifoQueue: "true" }) : createSettings({}),
    tags: {},
    createdAt: new Date(),
    lastModified: new Date(),
  });
  const store = { get: async (_account: string, name: string) => queue(name) };
  it("refuses a FIFO queue as a dead letter, destination or target queue", async () => {
    const refs = createQueueRefs(store, "us-east-1");
    expect(await refs.fault(ACCOUNT, `arn:aws:sqs:us-east-1:${ACCOUNT}:plain`)).toBeUndefined();
    expect(await refs.fault(ACCOUNT, `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs.fifo`)).toMatch(/is a FIFO queue/);
  });
  it("fails a Step Functions sqs:sendMessage task to a FIFO queue, and sends to a standard one", async () => {
    const tasks = createTaskMessages(store);
    const url = (name: string) => `http://h/${ACCOUNT}/${name}`;
    const id = "6f1c2a3e-0000-4000-8000-000000000001";
    expect(await tasks.prepare(ACCOUNT, { QueueUrl: url("jobs.fifo"), MessageBody: "x" }, id)).toEqual({
      error: "SQS.InvalidParameterValue",
      cause: expect.stringMatching(/jobs.fifo is a FIFO queue/),
    });
    expect(
      await tasks.prepare(ACCOUNT, { QueueUrl: url("jobs.fifo"), MessageBody: "x", MessageGroupId: "g" }, id),
    ).toEqual({ error: "SQS.InvalidParameterValue", cause: expect.stringMatching(/MessageGroupId is a FIFO/) });
    expect(await tasks.prepare(ACCOUNT, { QueueUrl: url("plain"), MessageBody: "x" }, id)).toMatchObject({
      queueId: "1",
      output: { MessageId: id },
    });
  });
});
