import { describe, expect, it } from "vitest";
import type { KafkaMessageIn } from "./kafka-client.js";
import { kafkaEntry, kafkaEvent, kafkaFilterView } from "./kafka-event.js";

const message = (partition: number, offset: string, extra: Partial<KafkaMessageIn> = {}): KafkaMessageIn => ({
  topic: "orders",
  partition,
  offset,
  timestamp: 1_700_000_000_000,
  timestampType: "CREATE_TIME",
  key: Buffer.from("k"),
  value: Buffer.from('{"n":1}'),
  headers: [["trace", Buffer.from("ab")]],
  ...extra,
});

describe("the self-managed Kafka event", () => {
  it("groups records by topic-partition in Lambda's shape", () => {
    const event = kafkaEvent(
      ["b1:9092", "b2:9092"],
      [message(0, "5"), message(1, "2"), message(0, "6")].map(kafkaEntry),
    );
    expect(event.eventSource).toBe("SelfManagedKafka");
    expect(event.bootstrapServers).toBe("b1:9092,b2:9092");
    expect(Object.keys(event.records)).toEqual(["orders-0", "orders-1"]);
    expect(event.records["orders-0"]?.map((r) => r.offset)).toEqual([5, 6]);
    expect(event.records["orders-1"]?.[0]).toEqual({
      topic: "orders",
      partition: 1,
      offset: 2,
      timestamp: 1_700_000_000_000,
      timestampType: "CREATE_TIME",
      key: Buffer.from("k").toString("base64"),
      value: Buffer.from('{"n":1}').toString("base64"),
      headers: [{ trace: [97, 98] }],
    });
  });

  it("leaves out a null key and value", () => {
    const e = kafkaEntry(message(0, "1", { key: null, value: null }));
    expect("key" in e || "value" in e).toBe(false);
  });

  it("shows filters the value parsed when it is JSON", () => {
    const m = message(0, "1");
    expect(kafkaFilterView(kafkaEntry(m), m).value).toEqual({ n: 1 });
    const t = message(0, "2", { value: Buffer.from("plain") });
    expect(kafkaFilterView(kafkaEntry(t), t).value).toBe("plain");
  });
});
