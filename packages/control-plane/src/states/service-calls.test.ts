// A service-integration task performed again (after a crash, on each sweep while it
// awaits its token) writes once and answers alike; an entry that fails fails the task
// and puts nothing; an entry's JSON Detail is sent as its text; a message to a topic
// (sns:publish, or a put event's topic target) is written for SNS's relay, told once.
import { describe, expect, it } from "vitest";
import { derivedUuid } from "../schedules/firing.js";
import { createTaskPublishes } from "../sns/task-publish.js";
import type { TaskMessages } from "../sqs/task-messages.js";
import type { ExecutionRow } from "../store/execution-store.js";
import { MemoryExecutionStore } from "./memory-execution-store.js";
import { createServiceCalls, type PutEventsPlan } from "./service-calls.js";
import type { ServiceCallEffect } from "./types.js";

const row = {
  arn: "arn:aws:states:us-east-1:123456789012:execution:m:e",
  accountId: "123456789012",
} as ExecutionRow;

const messages: TaskMessages = {
  async prepare(_account, params, messageId) {
    const body = JSON.stringify((params as { MessageBody: unknown }).MessageBody);
    const message = { id: messageId, body, attributes: {}, md5Body: "m", senderId: "a", delaySeconds: 0 };
    return { queueId: "1", message, output: { MessageId: messageId, MD5OfMessageBody: "m" } };
  },
};

const TOPIC = "arn:aws:sns:us-east-1:123456789012:t";
const topicTarget = { id: "p", accountId: row.accountId, topicArn: TOPIC, message: "{}" };

function setup(failed = 0, publishes: (typeof topicTarget)[] = []) {
  const store = new MemoryExecutionStore();
  const planned: unknown[] = [];
  let counted = 0;
  let published = 0;
  const calls = createServiceCalls({
    store,
    messages,
    publishes: createTaskPublishes({ fault: async (_a, arn) => (arn === TOPIC ? undefined : "gone") }),
    published: () => {
      published++;
    },
    events: {
      async plan(_account, body, newId): Promise<PutEventsPlan> {
        planned.push(body);
        const id = newId();
        return {
          results: failed ? [{ ErrorCode: "InvalidArgument", ErrorMessage: "no" }] : [{ EventId: id }],
          failed,
          deliveries: { invocations: [], letters: [], starts: [], publishes },
        };
      },
      count: () => {
        counted++;
      },
    },
    nudge: () => undefined,
  });
  return { store, planned, calls, counted: () => counted, published: () => published };
}

const effect = (over: Partial<ServiceCallEffect>): ServiceCallEffect => ({
  kind: "serviceCall",
  scheduledEventId: 2,
  idempotencyKey: "root/Send@2/1",
  service: "sqs",
  parameters: { QueueUrl: "q", MessageBody: { n: 1 } },
  ...over,
});

describe("service-integration calls", () => {
  it("writes a message once however often the task is performed, and answers alike", async () => {
    const { store, calls } = setup();
    const first = await calls(row, effect({}));
    const again = await calls(row, effect({}));
    expect(first).toEqual(again);
    expect(first).toMatchObject({ ok: true, value: { MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
    expect(store.calls.size).toBe(1);
    // A waiting task has no outcome yet; its token is kept for the callback.
    const token = "a".repeat(64);
    expect(await calls(row, effect({ idempotencyKey: "k2", taskToken: token }))).toBeUndefined();
    expect((await store.taskOfToken(token))?.effectKey).toBe("k2");
  });

  it("puts events with ids derived from the task, counting them once; a failed entry fails the task", async () => {
    const ok = setup();
    const put = effect({
      service: "events",
      parameters: { Entries: [{ Source: "s", DetailType: "d", Detail: { a: 1 } }] },
    });
    const first = await ok.calls(row, put);
    expect(await ok.calls(row, put)).toEqual(first);
    expect(ok.counted()).toBe(1);
    expect(ok.planned[0]).toEqual({ Entries: [{ Source: "s", DetailType: "d", Detail: '{"a":1}' }] });
    const bad = setup(1);
    expect(await bad.calls(row, put)).toMatchObject({ ok: false, error: "EventBridge.FailedEntry" });
    expect(bad.store.calls.size).toBe(0);
  });

  it("publishes to a topic once, its MessageId derived from the task; a missing topic fails it by name", async () => {
    const { store, calls, published } = setup();
    const publish = effect({ service: "sns", parameters: { TopicArn: TOPIC, Message: { n: 1 } } });
    const first = await calls(row, publish);
    expect(await calls(row, publish)).toEqual(first);
    const id = derivedUuid(`states/${row.arn}/root/Send@2/1`);
    expect(first).toEqual({ ok: true, value: { MessageId: id } });
    const written = [...store.calls.values()][0];
    expect(written?.publishes).toEqual([{ id, accountId: row.accountId, topicArn: TOPIC, message: '{"n":1}' }]);
    expect(published()).toBe(1);
    const missing = effect({
      service: "sns",
      idempotencyKey: "k3",
      parameters: { TopicArn: `${TOPIC}x`, Message: "m" },
    });
    expect(await calls(row, missing)).toEqual({ ok: false, error: "SNS.NotFoundException", cause: "gone" });
    expect(store.calls.size).toBe(1);
  });

  it("writes a put event's topic target with the events' deliveries, and tells SNS's relay", async () => {
    const { store, calls, published } = setup(0, [topicTarget]);
    const put = effect({
      service: "events",
      parameters: { Entries: [{ Source: "s", DetailType: "d", Detail: "{}" }] },
    });
    await calls(row, put);
    expect([...store.calls.values()][0]?.publishes).toEqual([topicTarget]);
    expect(published()).toBe(1);
  });
});
